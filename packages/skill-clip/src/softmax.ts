/*
 * Generic: a numerically stable softmax. A candidate for `@accel/core` (next to `cosineSimilarity`
 * in math/vector.ts); skill-xclip keeps the same few lines.
 */

/** exp(x − max) / Σ exp(x − max), in float64. */
export function softmax(logits: readonly number[]): number[] {
  const largest = Math.max(...logits);
  const exponentials = logits.map((logit) => Math.exp(logit - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}
