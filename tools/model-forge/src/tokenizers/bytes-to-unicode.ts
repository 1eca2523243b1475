/**
 * GPT-2's reversible byte-to-character table: printable Latin-1 bytes map to themselves, the
 * rest to code points from U+0100 on. Returned in GPT-2's vocabulary order (ids 0–255).
 */
export function byteLevelAlphabet(): Array<{ byte: number; character: string }> {
  const printable = (from: string, to: string): number[] =>
    Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, index) => from.charCodeAt(0) + index);
  const bytes = [...printable('!', '~'), ...printable('¡', '¬'), ...printable('®', 'ÿ')];
  const alphabet = bytes.map((byte) => ({ byte, character: String.fromCharCode(byte) }));
  const selfMapped = new Set(bytes);
  let extra = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (selfMapped.has(byte)) continue;
    alphabet.push({ byte, character: String.fromCharCode(256 + extra) });
    extra += 1;
  }
  return alphabet;
}

/** Encodes text the way the ByteLevel pre-tokenizer does: UTF-8 bytes mapped through the table. */
export function toByteLevel(text: string): string {
  return [...new TextEncoder().encode(text)].map((byte) => byteCharacters[byte]!).join('');
}

const byteCharacters: readonly string[] = byteLevelAlphabet()
  .sort((left, right) => left.byte - right.byte)
  .map(({ character }) => character);
