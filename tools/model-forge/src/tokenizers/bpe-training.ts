interface WeightedWord {
  symbols: string[];
  readonly weight: number;
}

/**
 * Learns up to `mergeCount` BPE merges from weighted words (whose symbols contain no spaces,
 * as in byte-level text): always the most frequent adjacent pair, ties broken by the pair's
 * text, so the result is deterministic. Pair counts are updated only for the words a merge touches.
 */
export function learnMerges(words: ReadonlyArray<{ text: string; weight: number }>, mergeCount: number): Array<[string, string]> {
  const corpus: WeightedWord[] = words.map(({ text, weight }) => ({ symbols: [...text], weight }));
  const counts = new Map<string, number>();
  const wordsWithPair = new Map<string, Set<number>>();
  const countPairs = (index: number, sign: 1 | -1): void => {
    const { symbols, weight } = corpus[index]!;
    for (let position = 0; position + 1 < symbols.length; position += 1) {
      const key = `${symbols[position]} ${symbols[position + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + sign * weight);
      if (sign === 1) wordsWithPair.set(key, (wordsWithPair.get(key) ?? new Set()).add(index));
    }
  };
  corpus.forEach((_, index) => countPairs(index, 1));

  const merges: Array<[string, string]> = [];
  while (merges.length < mergeCount) {
    const best = mostFrequent(counts);
    if (best === undefined) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push([left, right]);
    for (const index of wordsWithPair.get(best) ?? []) {
      countPairs(index, -1);
      corpus[index]!.symbols = applyMerge(corpus[index]!.symbols, left, right);
      countPairs(index, 1);
    }
    counts.delete(best);
    wordsWithPair.delete(best);
  }
  return merges;
}

function mostFrequent(counts: ReadonlyMap<string, number>): string | undefined {
  let bestKey: string | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount || (count === bestCount && count > 0 && key < bestKey!)) {
      bestKey = key;
      bestCount = count;
    }
  }
  return bestKey;
}

function applyMerge(symbols: readonly string[], left: string, right: string): string[] {
  const merged: string[] = [];
  for (let index = 0; index < symbols.length; index += 1) {
    if (symbols[index] === left && symbols[index + 1] === right) {
      merged.push(left + right);
      index += 1;
    } else {
      merged.push(symbols[index]!);
    }
  }
  return merged;
}
