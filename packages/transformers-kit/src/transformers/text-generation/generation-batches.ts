
/** One prompt ready to generate: its place in the batch, its tokens and how many tokens it may add. */
export interface PlannedRow {
  readonly index: number;
  readonly prompt: readonly number[];
  readonly maxNewTokens: number;
}

/**
 * Splits a batch into consecutive groups that can be generated together. Rows share one
 * `generate` call, so every row runs for the group's largest `maxNewTokens` (a finished row keeps
 * receiving filler tokens) and is left-padded to the group's longest prompt: a group fits when
 * that longest prompt plus that largest `maxNewTokens` fits the context, so no row's positions
 * run past the model's position table. Each row fits alone (the caller clamps `maxNewTokens`).
 */
export function planGenerationBatches(rows: readonly PlannedRow[], contextLength: number): PlannedRow[][] {
  const groups: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let longestPrompt = 0;
  let mostNewTokens = 0;
  for (const row of rows) {
    const prompt = Math.max(longestPrompt, row.prompt.length);
    const newTokens = Math.max(mostNewTokens, row.maxNewTokens);
    if (current.length > 0 && prompt + newTokens > contextLength) {
      groups.push(current);
      current = [];
      longestPrompt = 0;
      mostNewTokens = 0;
    }
    current.push(row);
    longestPrompt = Math.max(longestPrompt, row.prompt.length);
    mostNewTokens = Math.max(mostNewTokens, row.maxNewTokens);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
