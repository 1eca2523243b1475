import type { ServerBenchResult, ServerGoalResult } from './server-bench-result.js';

/** A goal with a threshold, and how to read its measured value (and a note) from a result of type `R`. */
export interface GoalDefinition<R> {
  readonly id: string;
  readonly measure: string;
  readonly comparison: '≤' | '≥' | '=';
  readonly threshold: number;
  readonly unit: ServerGoalResult['unit'];
  readonly read: (result: R) => { measured?: number; note: string };
}

type ServerGoalDefinition = GoalDefinition<Pick<ServerBenchResult, 'embeddings' | 'streaming'>>;

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits));

function notMeasured(part: { status: string; reason?: string }): string {
  return `${part.status}: ${part.reason ?? 'not measured'}`;
}

export const serverGoalDefinitions: readonly ServerGoalDefinition[] = [
  {
    id: 'http-throughput',
    measure: '64 concurrent single requests, MiniLM: HTTP on loopback ÷ in-process throughput',
    comparison: '≥',
    threshold: 0.9,
    unit: '×',
    read({ embeddings }) {
      if (embeddings.status !== 'measured' || embeddings.throughputRatio === undefined) return { note: notMeasured(embeddings) };
      const { inProcess, http } = embeddings;
      return {
        measured: embeddings.throughputRatio,
        note: `${embeddings.route}: ${fixed(http?.itemsPerSecond, 0)} items/s, p99 ${fixed(http?.latency.p99, 1)} ms, CPU ${fixed(http?.cpuMillisecondsPerRequest, 2)} ms/request; in-process ${fixed(inProcess?.itemsPerSecond, 0)} items/s, p99 ${fixed(inProcess?.latency.p99, 1)} ms, CPU ${fixed(inProcess?.cpuMillisecondsPerRequest, 2)} ms/request`,
      };
    },
  },
  {
    id: 'http-errors-and-lost',
    measure: 'HTTP requests that failed or were lost (every burst, warm-up included)',
    comparison: '=',
    threshold: 0,
    unit: 'requests',
    read({ embeddings }) {
      const accounting = embeddings.http?.accounting;
      if (accounting === undefined) return { note: notMeasured(embeddings) };
      return { measured: accounting.errors + accounting.lost, note: `${accounting.sent} sent, ${accounting.answered} answered, ${accounting.errors} errors, ${accounting.lost} lost` };
    },
  },
  {
    id: 'sse-first-token',
    measure: 'gpt2 streamed over SSE: time to first token, HTTP − in-process `accel.stream` (median of paired differences)',
    comparison: '≤',
    threshold: 5,
    unit: 'ms',
    read({ streaming }) {
      if (streaming.status !== 'measured' || streaming.overheadMilliseconds === undefined) return { note: notMeasured(streaming) };
      return {
        measured: streaming.overheadMilliseconds,
        note: `${streaming.route}: p50 ${fixed(streaming.http?.milliseconds.median, 1)} ms (p95 ${fixed(streaming.http?.milliseconds.p95, 1)}); in-process p50 ${fixed(streaming.inProcess?.milliseconds.median, 1)} ms (p95 ${fixed(streaming.inProcess?.milliseconds.p95, 1)})`,
      };
    },
  },
];

/** Each goal with what this run measured; one the run did not measure is `skipped`, with why. */
export function evaluateServerGoals(result: Pick<ServerBenchResult, 'embeddings' | 'streaming'>): ServerGoalResult[] {
  return evaluateGoalDefinitions(serverGoalDefinitions, result);
}

/** Each definition's goal with what `result` measured: met, not met, or `skipped` (with why) when it measured nothing. */
export function evaluateGoalDefinitions<R>(definitions: readonly GoalDefinition<R>[], result: R): ServerGoalResult[] {
  return definitions.map((definition) => {
    const { measured, note } = definition.read(result);
    const goal = `${definition.comparison} ${definition.threshold}${definition.unit === 'ms' ? ' ms' : ''}`;
    const base = { id: definition.id, measure: definition.measure, goal, threshold: definition.threshold, unit: definition.unit };
    if (measured === undefined) return { ...base, status: 'skipped', note };
    const met =
      definition.comparison === '≤' ? measured <= definition.threshold : definition.comparison === '≥' ? measured >= definition.threshold : measured === definition.threshold;
    return { ...base, measured, status: met ? 'met' : 'not met', note };
  });
}

/** A server goal's measured value: `0.93×`, `1.8 ms`, `0 requests`. */
export function formatServerGoalMeasured(goal: ServerGoalResult): string {
  if (goal.measured === undefined) return '–';
  if (goal.unit === 'ms') return `${goal.measured.toFixed(1)} ms`;
  if (goal.unit === 'requests') return `${goal.measured} request${goal.measured === 1 ? '' : 's'}`;
  const digits = goal.measured.toFixed(2) === goal.threshold.toFixed(2) ? 3 : 2;
  return `${goal.measured.toFixed(digits)}×`;
}
