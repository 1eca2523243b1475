/**
 * How long to repeat an operation: until it has run `minSamples` times and `budgetMs` have
 * passed, at most `maxSamples` times; an operation so slow that `limitMs` passes first stops
 * early, with at least one sample.
 */
export interface SamplingPlan {
  readonly warmup: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  readonly budgetMs: number;
  readonly limitMs: number;
}

/** True while the plan wants another sample. */
export function wantsMoreSamples(plan: SamplingPlan, samples: number, elapsedMs: number): boolean {
  if (samples >= plan.maxSamples) return false;
  if (samples === 0) return true;
  if (elapsedMs >= plan.limitMs) return false;
  return samples < plan.minSamples || elapsedMs < plan.budgetMs;
}

/**
 * Runs `operation` `plan.warmup` times untimed, then times it until the plan is satisfied.
 * `afterEach` runs after each timed sample, outside the timed span. Returns the durations in
 * milliseconds.
 */
export async function sampleDurations(operation: () => Promise<unknown>, plan: SamplingPlan, afterEach?: () => unknown): Promise<number[]> {
  for (let round = 0; round < plan.warmup; round += 1) await operation();
  const durations: number[] = [];
  const startedAt = performance.now();
  while (wantsMoreSamples(plan, durations.length, performance.now() - startedAt)) {
    const operationStartedAt = performance.now();
    await operation();
    durations.push(performance.now() - operationStartedAt);
    await afterEach?.();
  }
  return durations;
}
