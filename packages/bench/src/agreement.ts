import { Accel, type BackendV1, type Dtype, type SkillV1 } from '@accel/core';
import { cosineSimilarity } from '@accel/transformers-kit';

/** How closely a quantized model's output follows the float one's on the same inputs. */
export interface AgreementResult {
  /** The dtype compared against, e.g. `fp32`. */
  readonly reference: string;
  /** What `value` is, e.g. `mean cosine of embeddings`. */
  readonly measure: string;
  readonly status: 'measured' | 'failed';
  /** In [0, 1]; 1 is the same output. */
  readonly value?: number;
  /** E.g. `lowest 0.991 over 8 sentences`, `29 of 32 positions`. */
  readonly detail?: string;
  readonly reason?: string;
}

/** The mean and the lowest cosine of pairs of embeddings (row i of one with row i of the other). */
export function embeddingAgreement(left: readonly ArrayLike<number>[], right: readonly ArrayLike<number>[]): { mean: number; lowest: number } {
  if (left.length !== right.length || left.length === 0) throw new RangeError(`need the same positive number of embeddings, got ${left.length} and ${right.length}`);
  const cosines = left.map((row, index) => cosineSimilarity(row, right[index]!));
  return { mean: cosines.reduce((sum, value) => sum + value, 0) / cosines.length, lowest: Math.min(...cosines) };
}

/**
 * The share of positions where two greedy generations chose the same token, over the longer of the
 * two (a generation that stopped early disagrees on the positions it lacks); 1 for two empty ones.
 */
export function tokenAgreement(left: readonly number[], right: readonly number[]): { agreeing: number; positions: number; share: number } {
  const positions = Math.max(left.length, right.length);
  let agreeing = 0;
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) if (left[index] === right[index]) agreeing += 1;
  return { agreeing, positions, share: positions === 0 ? 1 : agreeing / positions };
}

/**
 * One request to an endpoint of `skill` on `model` with `dtype`, in a registry of its own that is
 * disposed afterwards; returns the output. The agreement checks run accel itself, outside the timing.
 */
export async function inferWithDtype(
  skill: SkillV1,
  backend: BackendV1,
  model: string,
  dtype: Dtype,
  request: { input: unknown; options?: Record<string, unknown> },
): Promise<unknown> {
  const accel = new Accel({ backends: [backend], skills: [skill] });
  try {
    accel.addEndpoint({ skill, model, backend: backend.name, dtype });
    return (await accel.infer(skill, request.input as never, request.options as never)).output;
  } finally {
    await accel.dispose();
  }
}
