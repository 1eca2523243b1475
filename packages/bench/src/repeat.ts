import type { GoalResult, RatioSpread, RunResult, Spread } from './bench-result.js';
import { median } from './statistics.js';

/** Min, median and max of values in run order. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  return { min: Math.min(...values), median: median(values), max: Math.max(...values), values: [...values] };
}

/**
 * Each goal over several runs: measured is the median of the runs that measured it, and the goal
 * is met only if that median meets it (a goal met once in three runs is not met). A goal measured
 * in no run is not measured, with the first run's note.
 */
export function combineGoals(runs: ReadonlyArray<readonly GoalResult[]>): GoalResult[] {
  const first = runs[0];
  if (first === undefined) throw new RangeError('no runs to combine');
  return first.map((goal) => {
    const values = runs.flatMap((run) => {
      const measured = run.find((candidate) => candidate.id === goal.id)?.measured;
      return measured === undefined ? [] : [measured];
    });
    const { measured: _measured, spread: _spread, ...base } = goal;
    if (values.length === 0) return { ...base, status: 'not measured' as const };
    const spread = { ...spreadOf(values), measuredIn: values.length, runs: runs.length };
    const comparison = goal.goal.startsWith('≤') ? '≤' : '≥';
    const met = comparison === '≤' ? spread.median <= goal.threshold : spread.median >= goal.threshold;
    const partly = values.length < runs.length ? `; measured in ${values.length} of ${runs.length} runs` : '';
    return { ...base, measured: spread.median, status: met ? ('met' as const) : ('not met' as const), note: `${goal.note}${partly}`, spread };
  });
}

/** Every ratio of every cell over the runs, in the first run's order (a ratio a later run lacks is left out of its values). */
export function combineRatios(runs: readonly RunResult[]): RatioSpread[] {
  const spreads = new Map<string, { profile: string; backend: string; id: string; label: string; better: 'lower' | 'higher'; values: number[] }>();
  for (const run of runs) {
    for (const cell of run.cells) {
      for (const ratio of cell.ratios) {
        const key = `${cell.profile}\u0000${cell.backend}\u0000${ratio.id}`;
        const entry = spreads.get(key) ?? { profile: cell.profile, backend: cell.backend, id: ratio.id, label: ratio.label, better: ratio.better, values: [] };
        entry.values.push(ratio.value);
        spreads.set(key, entry);
      }
    }
  }
  return [...spreads.values()].map(({ values, ...entry }) => ({ ...entry, ...spreadOf(values) }));
}
