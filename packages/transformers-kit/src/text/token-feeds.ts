import type { TensorLike } from '@accel/core';

/**
 * Builds the int64 feeds a text encoder declares, from token id sequences of varying length:
 * right-padded `input_ids`, `attention_mask`, and — only when the session declares them —
 * zero `token_type_ids` and `position_ids`.
 */
export function buildTokenFeeds(
  inputNames: readonly string[],
  sequences: readonly (readonly number[])[],
  padTokenId: number,
): { feeds: Record<string, TensorLike>; mask: BigInt64Array; length: number } {
  let length = 0;
  for (const sequence of sequences) if (sequence.length > length) length = sequence.length;
  const rows = sequences.length;
  const dims = [rows, length];
  const size = rows * length;
  const ids = new BigInt64Array(size);
  const mask = new BigInt64Array(size);
  const wantsPositions = inputNames.includes('position_ids');
  const positions = new BigInt64Array(wantsPositions ? size : 0);
  if (littleEndian) {
    // Ids, mask and positions are small non-negative integers: writing each one's low 32-bit word
    // (the high word stays 0) through an Int32Array view fills the int64 tensors without making a
    // BigInt per element.
    const idWords = new Int32Array(ids.buffer);
    const maskWords = new Int32Array(mask.buffer);
    const positionWords = new Int32Array(positions.buffer);
    const pad = BigInt(padTokenId);
    const padFits = padTokenId >= 0 && padTokenId <= 0x7fffffff && Number.isInteger(padTokenId);
    for (let row = 0; row < rows; row += 1) {
      const sequence = sequences[row]!;
      const start = row * length;
      for (let position = 0; position < length; position += 1) {
        const index = start + position;
        if (position < sequence.length) {
          const token = sequence[position]!;
          if (token >= 0 && token <= 0x7fffffff && Number.isInteger(token)) idWords[index * 2] = token;
          else ids[index] = BigInt(token);
          maskWords[index * 2] = 1;
          if (wantsPositions) positionWords[index * 2] = position;
        } else if (padFits) {
          idWords[index * 2] = padTokenId;
        } else {
          ids[index] = pad;
        }
      }
    }
  } else {
    ids.fill(BigInt(padTokenId));
    sequences.forEach((sequence, row) => {
      sequence.forEach((token, position) => {
        ids[row * length + position] = BigInt(token);
        mask[row * length + position] = 1n;
        if (wantsPositions) positions[row * length + position] = BigInt(position);
      });
    });
  }
  const feeds: Record<string, TensorLike> = {};
  if (inputNames.includes('input_ids')) feeds.input_ids = { type: 'int64', data: ids, dims };
  if (inputNames.includes('attention_mask')) feeds.attention_mask = { type: 'int64', data: mask, dims };
  if (inputNames.includes('token_type_ids')) feeds.token_type_ids = { type: 'int64', data: new BigInt64Array(size), dims };
  if (wantsPositions) feeds.position_ids = { type: 'int64', data: positions, dims };
  return { feeds, mask, length };
}

/** Whether this machine stores integers little-endian (where an int64's low word comes first). */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Cuts a sequence that is longer than `limit` tokens, keeping its last token (the closing
 * special token of BERT-style sequences). Returns the original when it fits.
 */
export function truncateKeepingLast(sequence: readonly number[], limit: number): readonly number[] {
  if (sequence.length <= limit) return sequence;
  return [...sequence.slice(0, limit - 1), sequence[sequence.length - 1]!];
}

/** A note that a text was cut to the context length, for the item's provenance. */
export interface TruncationNote {
  readonly kind: 'truncated';
  readonly message: string;
}

/**
 * Tokenizes each text and cuts the ones longer than `contextLength` (keeping the closing token),
 * with a provenance note for each text that was cut (undefined for the others).
 */
export function encodeTexts(
  tokenizer: { encode(text: string): number[] },
  texts: readonly string[],
  contextLength: number,
): { sequences: Array<readonly number[]>; notes: Array<TruncationNote | undefined> } {
  const notes: Array<TruncationNote | undefined> = [];
  const sequences = texts.map((text) => {
    const tokens = tokenizer.encode(text);
    const kept = truncateKeepingLast(tokens, contextLength);
    notes.push(kept.length < tokens.length ? { kind: 'truncated', message: `truncated from ${tokens.length} to ${contextLength} tokens (the context length)` } : undefined);
    return kept;
  });
  return { sequences, notes };
}
