import { cosineSimilarity } from '@accel/transformers-kit/encoders';

export { cosineSimilarity };

/** Candidates ordered by cosine similarity to the query, most similar first. */
export function rankBySimilarity(
  query: ArrayLike<number>,
  candidates: readonly ArrayLike<number>[],
): Array<{ index: number; score: number }> {
  return candidates
    .map((candidate, index) => ({ index, score: cosineSimilarity(query, candidate) }))
    .sort((left, right) => right.score - left.score);
}
