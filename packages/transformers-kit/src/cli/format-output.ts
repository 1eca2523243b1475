/** A vector's first values, length and norm on one line: `[0.1234, …] (384 dims, norm 1.0000)`. */
export function formatVector(vector: ArrayLike<number>): string {
  const values = Array.from(vector);
  const head = values.slice(0, 6).map((value) => value.toFixed(4)).join(', ');
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return `[${head}${values.length > 6 ? ', …' : ''}] (${values.length} dims, norm ${norm.toFixed(4)})`;
}

/** `name` then one indented `label  score` line per label, in the given order. */
export function formatRanking(name: string, ranking: ReadonlyArray<{ readonly label: string; readonly score: number }>): string {
  const width = Math.max(...ranking.map((entry) => entry.label.length));
  return [name, ...ranking.map((entry) => `  ${entry.label.padEnd(width)}  ${entry.score.toFixed(4)}`)].join('\n');
}

/** Why generation stopped, the same way for every generative skill: `[stopped: length after 8 tokens]`. */
export function formatStop(stopReason: string, tokenCount: number | undefined): string {
  return `[stopped: ${stopReason}${tokenCount === undefined ? '' : ` after ${tokenCount} token${tokenCount === 1 ? '' : 's'}`}]`;
}

/** Seconds as `mm:ss.ss` (`h:mm:ss.ss` from an hour on). */
export function formatClock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = (seconds % 60).toFixed(2).padStart(5, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${String(minutes).padStart(2, '0')}:${rest}`;
}

/** `"a cat, a dog"` → `['a cat', 'a dog']` (trimmed, empty entries dropped); undefined for undefined. */
export function splitList(text: string | undefined): string[] | undefined {
  return text?.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}
