/** The first place two outputs differ by more than `tolerance` (numbers; strings and the rest must be equal), or undefined. */
export function firstDifference(actual: unknown, expected: unknown, tolerance: number, path = 'output'): string | undefined {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(actual - expected) <= tolerance || (Number.isNaN(actual) && Number.isNaN(expected)) ? undefined : `${path}: ${actual} vs ${expected}`;
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const [left, right] = [Array.from(actual as ArrayLike<unknown>), Array.from(expected as ArrayLike<unknown>)];
    if (left.length !== right.length) return `${path}: length ${left.length} vs ${right.length}`;
    for (let index = 0; index < right.length; index += 1) {
      const difference = firstDifference(left[index], right[index], tolerance, `${path}[${index}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return `${path}: ${JSON.stringify(actual)} vs an object`;
    // A typed array crosses postMessage and page.evaluate as an object with numeric keys.
    const values = (value: object) => (ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value);
    const [left, right] = [values(actual) as Record<string, unknown>, values(expected) as Record<string, unknown>];
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of keys) {
      const difference = firstDifference(left[key], right[key], tolerance, `${path}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`;
}

/** Typed arrays as plain arrays, so Node's output compares with what came back from the page. */
export function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  return value;
}

/** A mono 16-bit PCM WAV. */
export function wavBytes(samples: Int16Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((char, index) => view.setUint8(offset + index, char.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((sample, index) => view.setInt16(44 + index * 2, sample, true));
  return bytes;
}
