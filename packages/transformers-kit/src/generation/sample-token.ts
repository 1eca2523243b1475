import type { ResolvedGenerationOptions } from './generation-options.js';

/**
 * Picks the next token from one row of logits: repetition penalty over `previousTokens`, then
 * greedy argmax when `temperature` is 0, else temperature, top-k and top-p sampling drawn from
 * `random`. `logits` is not modified.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  previousTokens: readonly number[],
  options: Pick<ResolvedGenerationOptions, 'temperature' | 'topK' | 'topP' | 'repetitionPenalty'>,
  random: () => number,
): number {
  // Greedy without a penalty reads the logits in place: no copy of the vocabulary per token.
  if (options.temperature === 0 && options.repetitionPenalty === 1) return argmax(logits);
  const scores = Float64Array.from(logits as ArrayLike<number>);
  if (options.repetitionPenalty !== 1) {
    for (const token of new Set(previousTokens)) {
      const score = scores[token];
      if (score === undefined) continue;
      scores[token] = score > 0 ? score / options.repetitionPenalty : score * options.repetitionPenalty;
    }
  }
  if (options.temperature === 0) return argmax(scores);
  let candidates = Array.from(scores.keys()).sort((left, right) => scores[right]! - scores[left]!);
  if (options.topK > 0) candidates = candidates.slice(0, options.topK);
  const top = scores[candidates[0]!]!;
  const weights = candidates.map((token) => Math.exp((scores[token]! - top) / options.temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (options.topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < candidates.length && cumulative < options.topP) cumulative += weights[keep++]! / total;
    candidates = candidates.slice(0, Math.max(keep, 1));
    weights.length = candidates.length;
  }
  const kept = weights.reduce((sum, weight) => sum + weight, 0);
  let threshold = random() * kept;
  for (let index = 0; index < candidates.length; index += 1) {
    threshold -= weights[index]!;
    if (threshold <= 0) return candidates[index]!;
  }
  return candidates[candidates.length - 1]!;
}

/** Index of the first largest value (0 when none is larger than the first, e.g. a leading NaN). */
function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  let bestScore = scores[0]!;
  for (let token = 1; token < scores.length; token += 1) {
    const score = scores[token]!;
    if (score > bestScore) {
      best = token;
      bestScore = score;
    }
  }
  return best;
}
