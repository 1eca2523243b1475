/** A long run of numbers, kept short: its type, length, first values and norm, and the values themselves when few enough to compare. */
export interface VectorSummary {
  readonly kind: 'vector';
  /** `Float32Array`, `Uint8Array`, … or `Array` for a plain list of numbers. */
  readonly type: string;
  readonly length: number;
  readonly first: readonly number[];
  /** Euclidean norm of all the values. */
  readonly norm: number;
  /** Every value, when `length` ≤ the summary's limit (so expected results can compare them); absent for inputs. */
  readonly values?: readonly number[];
}

/** A JSON rendering of a skill's input or output that keeps what a comparison needs and nothing bulky. */
export type Summary = string | number | boolean | null | VectorSummary | readonly Summary[] | { readonly [key: string]: Summary };

export interface SummarizeOptions {
  /** Keep every value of a vector up to this length (outputs); 0 keeps none (inputs). */
  readonly keepValuesUpTo: number;
}

/** Plain number lists up to this length stay lists (token ids, scores); longer ones become vectors. */
const shortListLength = 64;
const firstCount = 8;

function vectorOf(values: ArrayLike<number>, type: string, keepValuesUpTo: number): VectorSummary {
  let squares = 0;
  const numbers = Array.from(values, Number);
  for (const value of numbers) squares += value * value;
  return {
    kind: 'vector',
    type,
    length: numbers.length,
    first: numbers.slice(0, firstCount),
    norm: Math.sqrt(squares),
    ...(numbers.length <= keepValuesUpTo ? { values: numbers } : {}),
  };
}

/**
 * Summarises a value for the collected results: typed arrays and long number lists become
 * `VectorSummary`s, text and small numbers stay as they are, `bigint` becomes a number, and
 * functions and `undefined` are dropped (as JSON drops them).
 */
export function summarize(value: unknown, options: SummarizeOptions): Summary {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const typed = value as unknown as ArrayLike<number | bigint> & { constructor: { name: string } };
    return vectorOf(Array.from(typed, Number), typed.constructor.name, options.keepValuesUpTo);
  }
  if (Array.isArray(value)) {
    if (value.length > shortListLength && value.every((item) => typeof item === 'number')) return vectorOf(value as number[], 'Array', options.keepValuesUpTo);
    return value.map((item) => summarize(item, options));
  }
  if (typeof value === 'object') {
    const summary: Record<string, Summary> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined || typeof item === 'function') continue;
      summary[key] = summarize(item, options);
    }
    return summary;
  }
  return String(value);
}

export function isVectorSummary(value: unknown): value is VectorSummary {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'vector' && Array.isArray((value as { first?: unknown }).first);
}
