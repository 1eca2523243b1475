/** Token ids and limits that constrain what Whisper may generate after its prompt. */
export interface TokenRules {
  readonly endOfText: number;
  /** Id of `<|0.00|>`; the timestamp tokens run from here to the end of the vocabulary. */
  readonly timestampBegin: number;
  /** Special tokens other than end-of-text (start, language, task, …): never generated after the prompt. */
  readonly controlTokens: readonly number[];
  /** Tokens the first generated token may not be (`begin_suppress_tokens`: a bare space, end-of-text). */
  readonly beginSuppressTokens: readonly number[];
  /** Highest timestamp index the first token may take (`max_initial_timestamp_index`). */
  readonly maxInitialTimestampIndex: number | undefined;
}

/** What one row (one window) of a batch allows. */
export interface RowRules {
  readonly returnTimestamps: boolean;
  /** Highest timestamp index inside the window's real audio (timestamps in the padding are refused). */
  readonly lastTimestampIndex: number;
}

/**
 * Masks one row of logits (in place, with −∞) so the next token follows Whisper's rules, as
 * Hugging Face's Python `WhisperTimeStampLogitsProcessor` applies them: control tokens never,
 * `beginSuppressTokens` not first;
 * without timestamps, no timestamp token; with them, the text opens with a timestamp (at most
 * `maxInitialTimestampIndex`), timestamps come in pairs except before end-of-text, never
 * decrease, and a segment ends after it starts; when the timestamps together are likelier than
 * any single text token, a timestamp is taken. transformers.js's own processor lacks the
 * never-decrease rule. Beyond Python, timestamps past the window's real audio are refused.
 */
export function applyTokenRules(logits: Float32Array, generated: readonly number[], rules: TokenRules, row: RowRules): void {
  const { timestampBegin, endOfText } = rules;
  for (const token of rules.controlTokens) logits[token] = Number.NEGATIVE_INFINITY;
  if (generated.length === 0) for (const token of rules.beginSuppressTokens) logits[token] = Number.NEGATIVE_INFINITY;
  if (!row.returnTimestamps) {
    logits.fill(Number.NEGATIVE_INFINITY, timestampBegin);
    return;
  }
  logits.fill(Number.NEGATIVE_INFINITY, Math.min(logits.length, timestampBegin + row.lastTimestampIndex + 1));
  if (generated.length === 0) {
    logits.fill(Number.NEGATIVE_INFINITY, 0, timestampBegin);
    if (rules.maxInitialTimestampIndex !== undefined) logits.fill(Number.NEGATIVE_INFINITY, timestampBegin + rules.maxInitialTimestampIndex + 1);
    return;
  }
  const last = generated[generated.length - 1]!;
  const lastWasTimestamp = last >= timestampBegin;
  const penultimateWasTimestamp = generated.length < 2 || generated[generated.length - 2]! >= timestampBegin;
  if (lastWasTimestamp) {
    if (penultimateWasTimestamp) logits.fill(Number.NEGATIVE_INFINITY, timestampBegin);
    else logits.fill(Number.NEGATIVE_INFINITY, 0, endOfText);
  }
  const lastTimestamp = generated.findLast((token) => token >= timestampBegin);
  if (lastTimestamp !== undefined) {
    const lowest = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
    logits.fill(Number.NEGATIVE_INFINITY, timestampBegin, Math.min(lowest, logits.length));
  }
  if (logSumExp(logits, timestampBegin, logits.length) > maximum(logits, 0, timestampBegin)) {
    logits.fill(Number.NEGATIVE_INFINITY, 0, timestampBegin);
  }
}

function maximum(values: Float32Array, from: number, to: number): number {
  let largest = Number.NEGATIVE_INFINITY;
  for (let index = from; index < to; index += 1) if (values[index]! > largest) largest = values[index]!;
  return largest;
}

function logSumExp(values: Float32Array, from: number, to: number): number {
  const largest = maximum(values, from, to);
  if (largest === Number.NEGATIVE_INFINITY) return largest;
  let sum = 0;
  for (let index = from; index < to; index += 1) sum += Math.exp(values[index]! - largest);
  return largest + Math.log(sum);
}
