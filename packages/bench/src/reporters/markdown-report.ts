import { describeReplicas } from '../subjects/accel-subject.js';
import type { BenchResult, CellResult, ProfileFamily, SubjectMemoryResult, SubjectResult } from '../bench-result.js';
import { memoryRatio } from '../memory/memory-probe.js';
import { findRatio } from '../ratios.js';
import { favoursAccel, formatMegabytes, formatMilliseconds, formatRate, formatRatio, reportHeaderLines } from './format-values.js';
import { formatGoalMeasured, formatGoalSpread } from '../goals.js';

interface Column {
  readonly header: string;
  readonly value: (subject: SubjectResult, cell: CellResult) => string;
}

/** The ratio each family's table shows against each peer. */
const mainRatio: Record<ProfileFamily, { id: string; meaning: string }> = {
  'text-embedding': { id: 'batch-time', meaning: 'batch time, accel ÷ peer (lower is better)' },
  vision: { id: 'latency', meaning: 'batch-1 latency, accel ÷ peer (lower is better)' },
  generation: { id: 'token-time', meaning: 'time per token, accel ÷ peer (lower is better)' },
  speech: { id: 'speech-time', meaning: 'window time, accel ÷ peer (lower is better)' },
};

const familyTitles: Record<ProfileFamily, string> = {
  'text-embedding': 'Text embeddings',
  vision: 'Vision',
  generation: 'Text generation',
  speech: 'Speech',
};

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n');
}

const latency = (subject: SubjectResult) => {
  const summary = subject.measurements.latency?.milliseconds;
  return summary ? `${formatMilliseconds(summary.median)} / ${formatMilliseconds(summary.p95)}` : '–';
};

const eventLoopDelay = (subject: SubjectResult) => {
  const concurrent = subject.measurements.concurrent;
  if (concurrent === undefined) return '–';
  const median = concurrent.eventLoopMaxDelayMedianMs;
  return `${formatMilliseconds(concurrent.eventLoopMaxDelayMs)}${median === undefined ? '' : ` (${formatMilliseconds(median)})`}`;
};

const familyColumns: Record<ProfileFamily, readonly Column[]> = {
  'text-embedding': [
    { header: 'throughput, batch 32', value: (subject) => formatRate(subject.measurements.batch?.itemsPerSecond, 'items/s') },
    { header: 'throughput, 64 concurrent singles', value: (subject) => formatRate(subject.measurements.concurrent?.itemsPerSecond, 'items/s') },
    { header: 'event-loop max delay (median of samples)', value: (subject) => eventLoopDelay(subject) },
    { header: 'latency p50 / p95, batch 1', value: latency },
  ],
  vision: [
    { header: 'throughput, batch 32', value: (subject) => formatRate(subject.measurements.batch?.itemsPerSecond, 'images/s') },
    { header: 'latency p50 / p95, batch 1', value: latency },
  ],
  generation: [
    { header: 'throughput', value: (subject) => formatRate(subject.measurements.generation?.tokensPerSecond, 'tokens/s') },
    { header: 'tokens per request', value: (subject) => (subject.measurements.generation ? String(subject.measurements.generation.newTokens) : '–') },
    { header: 'first token', value: (subject) => formatMilliseconds(subject.measurements.generation?.firstTokenMilliseconds.median) },
  ],
  speech: [
    { header: 'window time', value: (subject) => formatMilliseconds(subject.measurements.speech?.milliseconds.median) },
    { header: 'realtime factor', value: (subject) => (subject.measurements.speech ? subject.measurements.speech.realtimeFactor.toFixed(3) : '–') },
  ],
};

/** A skipped cell's reason; a backend's own unavailability is spelled out once, in the Backends table. */
function skipReason(cell: CellResult, backends: BenchResult['backends']): string {
  const backend = backends.find((row) => row.backend === cell.backend);
  if (backend !== undefined && !backend.available && backend.reason === cell.reason) return 'backend unavailable (see Backends)';
  return cell.reason ?? '';
}

function familyTable(family: ProfileFamily, cells: readonly CellResult[], backends: BenchResult['backends']): string {
  const ratio = mainRatio[family];
  const headers = ['model', 'platform', 'runs', ...familyColumns[family].map((column) => column.header), 'peak RSS added (own process)', 'load (to first answer)', '× raw ORT', '× pipeline'];
  const rows: string[][] = [];
  for (const cell of cells) {
    if (cell.status !== 'measured') {
      rows.push([cell.profile, cell.backend, `${cell.status}: ${skipReason(cell, backends)}`, ...familyColumns[family].map(() => '–'), '–', '–', '–', '–']);
      continue;
    }
    for (const subject of cell.subjects) {
      const isAccel = subject.role === 'accel';
      const ratioCell = (peer: string) => (isAccel ? formatRatio(findRatio(cell.ratios, `${ratio.id}/${peer}`)) : '–');
      if (subject.status !== 'measured') {
        rows.push([cell.profile, cell.backend, `${subject.label}: ${subject.status}${subject.reason ? ` (${subject.reason})` : ''}`, ...familyColumns[family].map(() => '–'), '–', '–', '–', '–']);
        continue;
      }
      rows.push([
        cell.profile,
        `${cell.backend} (${subject.runtime})`,
        isAccel ? `**${subject.label}**` : subject.label,
        ...familyColumns[family].map((column) => column.value(subject, cell)),
        memoryCell(cell.memory?.subjects.find((entry) => entry.role === subject.role)),
        formatMilliseconds(subject.measurements.loadMs),
        ratioCell('onnxruntime'),
        ratioCell('pipeline'),
      ]);
    }
  }
  return `### ${familyTitles[family]}\n\nRatio columns: ${ratio.meaning}.\n\n${table(headers, rows)}`;
}

/** A subject's peak RSS added in its own process, for the family tables (the Memory section has the rest). */
function memoryCell(memory: SubjectMemoryResult | undefined): string {
  if (memory === undefined) return '–';
  if (memory.status !== 'measured' || memory.measurement === undefined) return memory.status;
  return `+${formatMegabytes(memory.measurement.addedRssBytes)}`;
}

function memorySection(result: BenchResult): string {
  const cells = result.cells.filter((cell) => cell.memory !== undefined);
  if (cells.length === 0) return '';
  const rows = cells.flatMap((cell) =>
    cell.memory!.subjects.map((subject) => {
      const measurement = subject.measurement;
      const isAccel = subject.role === 'accel';
      const ratio = (peer: 'onnxruntime' | 'pipeline') => (isAccel ? formatRatio(memoryRatio(cell.memory, peer)) : '–');
      if (subject.status !== 'measured' || measurement === undefined) {
        return [cell.profile, cell.backend, `${subject.label}: ${subject.status}${subject.reason ? ` (${subject.reason})` : ''}`, '–', '–', '–', '–', '–', '–'];
      }
      return [
        cell.profile,
        cell.backend,
        isAccel ? `**${subject.label}**` : subject.label,
        `+${formatMegabytes(measurement.addedRssBytes)}`,
        `+${formatMegabytes(measurement.heldRssBytes)}`,
        `${formatMegabytes(measurement.peakRssBytes)} (baseline ${formatMegabytes(measurement.baselineRssBytes)}, fresh ${formatMegabytes(measurement.freshRssBytes)})`,
        cell.memory!.requests,
        ratio('onnxruntime'),
        ratio('pipeline'),
      ];
    }),
  );
  const sources = [...new Set(cells.flatMap((cell) => cell.memory!.subjects.flatMap((subject) => (subject.measurement ? [subject.measurement.kernelPeak] : []))))];
  return [
    '## Memory',
    '',
    'Each subject is measured in a fresh child process of its own (`child_process.fork`), one after another, after the timing rounds, so no other subject\'s leftovers count for or against it (in one process, a later subject reuses memory an earlier one freed, and finds libraries already mapped). The child reads its RSS at start ("fresh"), imports what every subject of the cell shares — the bench\'s modules, the backend\'s onnxruntime package and transformers.js, with which the peers prepare their inputs — and reads the baseline; then it builds the subject, loads it and sends the same first requests as the timing (accel\'s skill and backend packages, its worker thread and the peers\' tokenizers or processors count as theirs). **Peak RSS added** is the peak minus the baseline (**held** is the RSS after the first requests, with the child\'s main-thread garbage collected, minus the baseline: what stays once the load\'s transient buffers are gone, or would be, had the allocator returned them); the peak is the highest of RSS samples every 10 ms and the kernel\'s high-water mark since the baseline (`VmHWM` after resetting it through /proc/self/clear_refs on Linux; elsewhere `process.resourceUsage().maxRSS` when it rose past its value at the baseline, since a forked child inherits its parent\'s). CLIP gets images only, so accel opens its vision tower only, like the raw peer (which runs `vision_model.onnx`). The goals take accel ÷ raw ORT on the cpu cells (≤ 1.15); with `--repeat`, each run probes once and this table is run 1\'s.',
    '',
    `Kernel peak read here: ${sources.length === 0 ? 'none' : sources.join(', ')}.`,
    '',
    table(['model', 'platform', 'subject', 'peak RSS added', 'held after the first requests', 'peak RSS (child)', 'first requests', 'accel ÷ raw ORT', 'accel ÷ pipeline'], rows),
    '',
  ].join('\n');
}

function ratioTable(cells: readonly CellResult[]): string {
  const rows = cells.flatMap((cell) =>
    cell.ratios.map((ratio) => [cell.profile, cell.backend, ratio.label, formatRatio(ratio.value), `${ratio.better} is better`, favoursAccel(ratio) ? 'accel' : ratio.peer]),
  );
  return table(['model', 'platform', 'ratio', 'value', 'direction', 'favours'], rows);
}

function goalsTable(result: BenchResult): string {
  const runs = result.repeat?.runs.length;
  return table(
    ['measure', 'goal', runs === undefined ? 'measured' : `median of ${runs} runs`, ...(runs === undefined ? [] : ['min – max']), 'status', runs === undefined ? 'same run' : 'run 1'],
    result.goals.map((goal) => [
      goal.measure,
      goal.goal,
      formatGoalMeasured(goal),
      ...(runs === undefined ? [] : [formatGoalSpread(goal)]),
      goal.status === 'met' ? 'met' : goal.status === 'not met' ? '**not met**' : 'not measured',
      goal.note,
    ]),
  );
}

function spreadSection(result: BenchResult): string {
  const repeat = result.repeat;
  if (repeat === undefined) return '';
  const runs = table(
    ['run', 'duration', 'load average (1 min)', 'goals met'],
    repeat.runs.map((run, index) => [
      String(index + 1),
      `${run.durationSeconds.toFixed(0)} s`,
      `${run.loadAverageStart.toFixed(2)} → ${run.loadAverageEnd.toFixed(2)}`,
      `${run.goals.filter((goal) => goal.status === 'met').length} of ${run.goals.length}`,
    ]),
  );
  const ratios = table(
    ['model', 'platform', 'ratio', 'min', 'median', 'max', 'direction'],
    repeat.ratios.map((ratio) => [ratio.profile, ratio.backend, ratio.label, formatRatio(ratio.min), formatRatio(ratio.median), formatRatio(ratio.max), `${ratio.better} is better`]),
  );
  return `## Spread over ${repeat.runs.length} runs\n\nThe same selection run ${repeat.runs.length} times in one process, one after another (each run alternates its subjects' rounds). The result tables above are run 1's; bench.json holds every run.\n\n${runs}\n\n${ratios}\n`;
}

function quantizedSection(result: BenchResult): string {
  const cells = result.cells.filter((cell) => cell.dtype !== undefined);
  if (cells.length === 0) return '';
  const rows = cells.map((cell) => {
    const agreement = cell.agreement;
    return [
      cell.profile,
      cell.backend,
      cell.dtype!,
      cell.status === 'measured' ? formatRatio(findRatio(cell.ratios, `${mainRatio[cell.family].id}/onnxruntime`)) : `${cell.status}: ${cell.reason ?? ''}`,
      agreement === undefined ? '–' : agreement.measure,
      agreement === undefined ? 'not taken' : agreement.status === 'measured' ? `${agreement.value!.toFixed(4)} (${agreement.detail ?? ''})` : `failed: ${agreement.reason ?? ''}`,
    ];
  });
  return `## int8 (q8) on the CPU\n\nThe q8 profiles load \`onnx/model_quantized.onnx\` (dynamic int8 MatMul, as transformers.js's \`_quantized\` files are); the raw peer runs the same file. Agreement compares accel's q8 output with accel's fp32 output on the same inputs, outside the timing (run 1).${result.modelSize === 'full' ? ' The models have random weights: agreement here shows that the q8 file computes nearly the same function as the fp32 one, not how closely a trained checkpoint\'s q8 output follows its fp32 output (a random gpt2 often repeats one token; the distinct count says so).' : ''}\n\n${table(['model', 'platform', 'dtype', 'accel ÷ raw ORT', 'agreement with fp32', 'value'], rows)}\n`;
}

function coServingSection(result: BenchResult): string {
  const coServing = result.coServing;
  if (coServing === undefined) return '';
  if (coServing.status !== 'measured') return `## Two models in one process\n\n${coServing.status}: ${coServing.reason ?? ''}\n`;
  const rows = (['accel', 'naive'] as const).flatMap((who) =>
    (coServing[who] ?? []).map((side) => [
      who === 'accel' ? '**accel** (two endpoints)' : 'naive (two pipelines)',
      side.model,
      formatRate(side.aloneItemsPerSecond, 'items/s'),
      formatRate(side.togetherItemsPerSecond, 'items/s'),
      formatRatio(side.fraction),
    ]),
  );
  return `## Two models in one process\n\n${coServing.description}.\n\n${table(['served by', 'model', 'alone', 'together', 'together ÷ alone'], rows)}\n`;
}

/** The Markdown report: machine, backends, goals, one table per family (model, platform, throughput, memory, latency, ratios), every ratio. */
export function renderMarkdownReport(result: BenchResult): string {
  const families = [...new Set(result.cells.map((cell) => cell.family))];
  const lines = [
    ...reportHeaderLines({ ...result, title: `accel bench (${result.mode}${result.modelSize === 'tiny' ? ', tiny models' : ''})` }),
    '- models: random weights at real size from @accel/model-forge; medians over alternating rounds; ratios are accel ÷ peer in this run',
    ...(result.repeat ? [`- runs: ${result.repeat.runs.length} (--repeat); each goal is the median of the runs and is met only if the median meets it`] : []),
    `- accel endpoints: ${describeReplicas(result.replicas)}`,
    '',
    '## Backends',
    '',
    table(
      ['backend', 'available', 'in this run', 'runtime or reason'],
      result.backends.map((row) => [row.backend, row.available ? 'yes' : 'no', row.selected ? (row.available ? 'yes' : 'skipped') : 'not selected', row.available ? (row.runtime ?? '') : (row.reason ?? '')]),
    ),
    '',
    '## Goals (issues 6 and 17)',
    '',
    goalsTable(result),
    '',
    '## Results',
    '',
    ...families.flatMap((family) => [familyTable(family, result.cells.filter((cell) => cell.family === family), result.backends), '']),
    coServingSection(result),
    memorySection(result),
    quantizedSection(result),
    spreadSection(result),
    '## Every ratio',
    '',
    ratioTable(result.cells),
    '',
  ];
  return lines.join('\n');
}
