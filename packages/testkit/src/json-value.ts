/**
 * A value as it reads after a JSON round trip, with typed arrays as arrays and bigints as numbers:
 * how outputs cross a process boundary, so both sides of a comparison are made the same way.
 */
export function toJsonValue(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, entry: unknown) => {
      if (typeof entry === 'bigint') return Number(entry);
      if (ArrayBuffer.isView(entry) && !(entry instanceof DataView)) return Array.from(entry as unknown as ArrayLike<number | bigint>, (item) => (typeof item === 'bigint' ? Number(item) : item));
      return entry;
    }),
  ) as unknown;
}
