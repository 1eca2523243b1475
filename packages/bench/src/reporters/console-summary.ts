import type { BenchResult, SubjectResult } from '../bench-result.js';
import { findRatio } from '../ratios.js';
import { memoryAddedBytes, memoryRatio } from '../memory/memory-probe.js';
import { formatMegabytes, formatMilliseconds, formatRate, formatRatio } from './format-values.js';
import { formatGoalMeasured, formatGoalSpread } from '../goals.js';

/** Lays rows out as a plain-text table under their headers (the accel CLI passes its own). */
export type TableRenderer = (headers: readonly string[], rows: readonly (readonly string[])[]) => string;

function headline(subject: SubjectResult | undefined): string {
  const measurements = subject?.measurements;
  if (measurements === undefined) return '–';
  if (measurements.batch) return formatRate(measurements.batch.itemsPerSecond, 'items/s @32');
  if (measurements.generation) return formatRate(measurements.generation.tokensPerSecond, 'tokens/s');
  if (measurements.speech) return `RTF ${measurements.speech.realtimeFactor.toFixed(3)}`;
  return formatMilliseconds(measurements.latency?.milliseconds.median);
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

const mainRatioIds = ['batch-time', 'token-time', 'speech-time', 'latency'];

function mainRatio(ratios: BenchResult['cells'][number]['ratios'], peer: string): string {
  for (const id of mainRatioIds) {
    const value = findRatio(ratios, `${id}/${peer}`);
    if (value !== undefined) return `${formatRatio(value)} ${id}`;
  }
  return '–';
}

/** A few lines for the terminal: each cell's headline number and main ratios, the goals, and where the reports are. */
export function renderConsoleSummary(result: BenchResult, files: readonly string[], renderTable: TableRenderer): string {
  const cells = renderTable(
    ['model', 'backend', 'accel', '× raw ORT', '× pipeline', 'note'],
    result.cells.map((cell) => {
      const accel = cell.subjects.find((subject) => subject.role === 'accel');
      return [
        cell.profile,
        cell.backend,
        cell.status === 'measured' ? headline(accel) : cell.status,
        mainRatio(cell.ratios, 'onnxruntime'),
        mainRatio(cell.ratios, 'pipeline'),
        cell.status === 'measured' ? '' : shorten(cell.reason ?? '', 72),
      ];
    }),
  );
  const runs = result.repeat?.runs.length;
  const goals = renderTable(
    ['goal', 'target', runs === undefined ? 'measured' : `median of ${runs}`, ...(runs === undefined ? [] : ['min – max']), 'status'],
    result.goals.map((goal) => [goal.id, goal.goal, formatGoalMeasured(goal), ...(runs === undefined ? [] : [formatGoalSpread(goal)]), goal.status]),
  );
  const agreements = result.cells.flatMap((cell) => {
    const agreement = cell.agreement;
    if (agreement === undefined) return [];
    const value = agreement.status === 'measured' ? `${agreement.value!.toFixed(4)} (${agreement.detail ?? ''})` : `failed: ${agreement.reason ?? ''}`;
    return [`${cell.profile} on ${cell.backend}: ${agreement.measure} with ${agreement.reference}: ${value}`];
  });
  const memory = result.cells.flatMap((cell) => {
    if (cell.memory === undefined) return [];
    const added = (role: 'accel' | 'onnxruntime' | 'pipeline') => {
      const bytes = memoryAddedBytes(cell.memory, role);
      return bytes === undefined ? (cell.memory!.subjects.find((subject) => subject.role === role)?.status ?? 'absent') : `+${formatMegabytes(bytes)}`;
    };
    return [`${cell.profile} on ${cell.backend}: peak RSS added (own process): accel ${added('accel')}, raw ORT ${added('onnxruntime')} (${formatRatio(memoryRatio(cell.memory, 'onnxruntime'))}), pipeline ${added('pipeline')}`];
  });
  return [
    `accel bench ${result.mode}${result.replicas === 'auto' ? '' : `, ${result.replicas} replica${result.replicas === 1 ? '' : 's'} per endpoint`}${runs === undefined ? '' : `, ${runs} runs (goals on the median)`}: ${result.durationSeconds.toFixed(0)} s on ${result.machine.cpu}, ${result.machine.cores} cores (load average ${result.machine.loadAverageStart.toFixed(1)} → ${result.machine.loadAverageEnd.toFixed(1)})`,
    '',
    cells,
    '',
    goals,
    '',
    ...(agreements.length > 0 ? [...agreements, ''] : []),
    ...(memory.length > 0 ? [...memory, ''] : []),
    ...files.map((file) => `wrote ${file}`),
  ].join('\n');
}
