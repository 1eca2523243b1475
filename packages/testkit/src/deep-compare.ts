/**
 * Compares two skill outputs: numbers (also inside typed arrays) within `tolerance`, everything
 * else exactly. Returns the path and values of the first difference, or undefined when equal.
 */
export function findDifference(actual: unknown, expected: unknown, tolerance: number, path = 'output'): string | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Number.isNaN(actual) || Number.isNaN(expected)) return `${path}: NaN (${actual} vs ${expected})`;
    return Math.abs(actual - expected) <= tolerance ? undefined : `${path}: ${actual} vs ${expected} (tolerance ${tolerance})`;
  }
  if (ArrayBuffer.isView(actual) || Array.isArray(actual)) {
    if (!(ArrayBuffer.isView(expected) || Array.isArray(expected))) return `${path}: array vs ${typeof expected}`;
    const left = actual as unknown as ArrayLike<unknown>;
    const right = expected as unknown as ArrayLike<unknown>;
    if (left.length !== right.length) return `${path}: length ${left.length} vs ${right.length}`;
    for (let index = 0; index < left.length; index += 1) {
      const difference = findDifference(toComparable(left[index]), toComparable(right[index]), tolerance, `${path}[${index}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const key of keys) {
      const difference = findDifference(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        tolerance,
        `${path}.${key}`,
      );
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} vs ${String(expected)}`;
}

function toComparable(value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** The largest absolute difference between the numbers of two outputs of the same shape (0 when they hold none). */
export function largestDifference(actual: unknown, expected: unknown): number {
  if (typeof actual === 'number' && typeof expected === 'number') return Math.abs(actual - expected);
  if ((ArrayBuffer.isView(actual) || Array.isArray(actual)) && (ArrayBuffer.isView(expected) || Array.isArray(expected))) {
    const left = actual as unknown as ArrayLike<unknown>;
    const right = expected as unknown as ArrayLike<unknown>;
    let largest = 0;
    for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
      largest = Math.max(largest, largestDifference(toComparable(left[index]), toComparable(right[index])));
    }
    return largest;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    let largest = 0;
    for (const key of Object.keys(actual)) {
      largest = Math.max(largest, largestDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]));
    }
    return largest;
  }
  return 0;
}
