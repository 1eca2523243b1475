import type { BenchResult, CellResult, ProfileFamily, SubjectResult } from '../bench-result.js';
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
  const headers = ['model', 'platform', 'runs', ...familyColumns[family].map((column) => column.header), 'memory: RSS added (process peak)', 'load (to first answer)', '× raw ORT', '× pipeline'];
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
        subject.measurements.memory
          ? `+${formatMegabytes(subject.measurements.memory.addedRssBytes)} (peak ${formatMegabytes(subject.measurements.memory.peakRssBytes)})`
          : '–',
        formatMilliseconds(subject.measurements.loadMs),
        ratioCell('onnxruntime'),
        ratioCell('pipeline'),
      ]);
    }
  }
  return `### ${familyTitles[family]}\n\nRatio columns: ${ratio.meaning}.\n\n${table(headers, rows)}`;
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
    `- accel endpoints: ${result.replicas === 1 ? '1 replica (the default)' : `${result.replicas} replicas each (--replicas), the endpoint's threads split between them`}`,
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
    quantizedSection(result),
    spreadSection(result),
    '## Every ratio',
    '',
    ratioTable(result.cells),
    '',
  ];
  return lines.join('\n');
}
