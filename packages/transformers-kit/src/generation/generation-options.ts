import { InvalidInputError } from '@accel/core';

/** Options every text-generating skill takes. Greedy decoding unless `temperature` > 0. */
export interface GenerationOptions {
  /** Most tokens to generate. Default 128. */
  readonly maxNewTokens?: number;
  /** 0 (default) decodes greedily; above 0 samples with this temperature. */
  readonly temperature?: number;
  /** Sample only among the k most likely tokens (0 = no limit). Default 0. */
  readonly topK?: number;
  /** Sample only among the most likely tokens whose probabilities sum to p, in (0, 1]. Default 1. */
  readonly topP?: number;
  /** Penalise tokens already in the sequence (1 = none, the default; > 1 discourages repeats). */
  readonly repetitionPenalty?: number;
  /** Stop when the generated text contains one of these; the stop string is not returned. */
  readonly stop?: readonly string[];
  /** Makes sampling reproducible: the same seed, prompt and options give the same text. */
  readonly seed?: number;
}

/** Generation options with every default filled in. */
export interface ResolvedGenerationOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
  readonly stop: readonly string[];
  readonly seed: number;
}

/** Why generation stopped. */
export type StopReason = 'eos' | 'length' | 'stop-string' | 'aborted';

function check(condition: boolean, reason: string): void {
  if (!condition) throw new InvalidInputError({ reason });
}

/**
 * Validates generation options before any work is done and fills in defaults. Out-of-range
 * values (`maxNewTokens` ≤ 0, `temperature` < 0, `topP` outside (0, 1], …) are `InvalidInputError`s.
 */
export function resolveGenerationOptions(options: GenerationOptions | undefined): ResolvedGenerationOptions {
  const resolved = {
    maxNewTokens: options?.maxNewTokens ?? 128,
    temperature: options?.temperature ?? 0,
    topK: options?.topK ?? 0,
    topP: options?.topP ?? 1,
    repetitionPenalty: options?.repetitionPenalty ?? 1,
    stop: options?.stop ?? [],
    seed: options?.seed ?? 0,
  };
  check(Number.isInteger(resolved.maxNewTokens) && resolved.maxNewTokens > 0, `maxNewTokens must be a positive integer, got ${resolved.maxNewTokens}`);
  check(Number.isFinite(resolved.temperature) && resolved.temperature >= 0, `temperature must be ≥ 0, got ${resolved.temperature}`);
  check(Number.isInteger(resolved.topK) && resolved.topK >= 0, `topK must be a non-negative integer, got ${resolved.topK}`);
  check(Number.isFinite(resolved.topP) && resolved.topP > 0 && resolved.topP <= 1, `topP must be in (0, 1], got ${resolved.topP}`);
  check(Number.isFinite(resolved.repetitionPenalty) && resolved.repetitionPenalty > 0, `repetitionPenalty must be > 0, got ${resolved.repetitionPenalty}`);
  check(Array.isArray(resolved.stop) && resolved.stop.every((entry) => typeof entry === 'string' && entry.length > 0), 'stop must be an array of non-empty strings');
  check(Number.isInteger(resolved.seed), `seed must be an integer, got ${resolved.seed}`);
  return resolved;
}
