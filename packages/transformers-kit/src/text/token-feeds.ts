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
  const length = Math.max(...sequences.map((sequence) => sequence.length));
  const dims = [sequences.length, length];
  const ids = new BigInt64Array(sequences.length * length).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(sequences.length * length);
  const positions = new BigInt64Array(sequences.length * length);
  sequences.forEach((sequence, row) => {
    sequence.forEach((token, position) => {
      ids[row * length + position] = BigInt(token);
      mask[row * length + position] = 1n;
      positions[row * length + position] = BigInt(position);
    });
  });
  const feeds: Record<string, TensorLike> = {
    input_ids: { type: 'int64', data: ids, dims },
    attention_mask: { type: 'int64', data: mask, dims },
  };
  if (inputNames.includes('token_type_ids')) {
    feeds.token_type_ids = { type: 'int64', data: new BigInt64Array(sequences.length * length), dims };
  }
  if (inputNames.includes('position_ids')) feeds.position_ids = { type: 'int64', data: positions, dims };
  for (const name of Object.keys(feeds)) if (!inputNames.includes(name)) delete feeds[name];
  return { feeds, mask, length };
}

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
