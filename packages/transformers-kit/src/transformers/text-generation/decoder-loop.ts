import type { InferenceSessionV1, TensorLike } from '@accel/core';
import { GenerationRowsState, type GeneratedRow, type GenerationRow, type GenerationTokenizer } from '../generate-rows.js';

/** One past key/value input of a decoder and the output that feeds it at the next step. */
interface CacheEntry {
  readonly input: string;
  readonly output: string;
  /** The input's shape with the batch axis (0) and the past-length axis marked. */
  readonly shape: readonly (number | 'batch' | 'past')[];
}

/** How accel's own loop drives a decoder session: which inputs it feeds. */
export interface DecoderLoopPlan {
  readonly positionIds: boolean;
  readonly cache: readonly CacheEntry[];
}

/**
 * The plan for driving `session` with accel's own decoding loop, or the reason it cannot (then
 * transformers.js's `generate` runs the model). The loop knows one layout, the one transformers.js
 * exports of GPT-2, Llama, Qwen2, Mistral and OPT share: inputs `input_ids`, `attention_mask`, an
 * optional `position_ids` and `past_key_values.*` (float32, `[batch, …, past length, …]`), each
 * fed back from the output named `present.*`, and float32 `logits`. Anything else (e.g.
 * `use_cache_branch`, `num_logits_to_keep`, float16 caches) is left to transformers.js.
 */
export function planDecoderLoop(session: InferenceSessionV1): DecoderLoopPlan | string {
  const cache: CacheEntry[] = [];
  // The batch axis's symbol (`batch_size`): a cache whose first axis is another (`batch_size x num_heads`) is not this layout.
  const batchAxis = session.inputMetadata.find((entry) => entry.name === 'input_ids')?.shape?.[0];
  for (const name of session.inputNames) {
    if (name === 'input_ids' || name === 'attention_mask' || name === 'position_ids') continue;
    if (!name.startsWith('past_key_values.')) return `input ${name} is not one the loop feeds`;
    const output = name.replace('past_key_values.', 'present.');
    if (!session.outputNames.includes(output)) return `no output ${output} feeds input ${name}`;
    const metadata = session.inputMetadata.find((entry) => entry.name === name);
    if (metadata?.type !== 'float32') return `input ${name} is ${String(metadata?.type)}, not float32`;
    const shape = metadata.shape ?? [];
    const symbolic = shape.flatMap((dimension, axis) => (typeof dimension === 'string' && axis > 0 ? [axis] : []));
    if (typeof shape[0] !== 'string' || shape[0] !== batchAxis || symbolic.length !== 1) return `input ${name} has shape [${shape.join(', ')}], not [batch, …, past length, …]`;
    cache.push({ input: name, output, shape: shape.map((dimension, axis) => (axis === 0 ? 'batch' : typeof dimension === 'string' ? 'past' : dimension)) });
  }
  if (cache.length === 0) return 'the session has no past_key_values inputs';
  const logits = session.outputMetadata.find((entry) => entry.name === 'logits');
  if (logits?.type !== 'float32') return `output logits is ${String(logits?.type)}, not float32`;
  return { positionIds: session.inputNames.includes('position_ids'), cache };
}

export interface DecoderLoopOptions {
  readonly session: InferenceSessionV1;
  readonly plan: DecoderLoopPlan;
  readonly tokenizer: GenerationTokenizer;
  /** Left-padded prompts, `rows.length` × `width`, and their attention mask (1 for a token, 0 for padding). */
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly width: number;
  readonly rows: readonly GenerationRow[];
  readonly eosTokenIds: readonly number[];
  readonly padTokenId?: number;
}

const int64 = (data: BigInt64Array, dims: readonly number[]): TensorLike => ({ type: 'int64', data, dims });

/**
 * Positions as transformers.js computes them from the attention mask: each token's count of
 * unmasked tokens before it, 1 for padding; the last `step` columns of `batch` × `length`.
 */
function positionIds(mask: BigInt64Array, batch: number, length: number, step: number): BigInt64Array {
  const positions = new BigInt64Array(batch * step);
  for (let row = 0; row < batch; row += 1) {
    let seen = 0n;
    for (let column = 0; column < length; column += 1) {
      const unmasked = mask[row * length + column] !== 0n;
      if (column >= length - step) positions[row * step + column - (length - step)] = unmasked ? seen : 1n;
      if (unmasked) seen += 1n;
    }
  }
  return positions;
}

/**
 * Generates a batch of rows on a decoder session directly, the loop transformers.js's `generate`
 * runs for these models without its per-token costs (tensor wrappers, slicing logits, a logits
 * processor pass over the vocabulary, a second argmax): per step one `session.run`, the `present.*`
 * outputs fed back as they are as the next step's `past_key_values.*`, and each row's token picked
 * from its logits at the last position, read in place. Tokens, stops and streaming are
 * `GenerationRowsState`'s, as in `generateRows`, so both give the same rows.
 */
export async function runDecoderLoop({ session, plan, tokenizer, inputIds, attentionMask, width, rows, eosTokenIds, padTokenId }: DecoderLoopOptions): Promise<GeneratedRow[]> {
  const state = new GenerationRowsState(rows, tokenizer, eosTokenIds, padTokenId);
  const batch = rows.length;
  // Each row's whole sequence, padding included, as transformers.js gives the repetition penalty.
  const sequences = Array.from({ length: batch }, (_, row) => Array.from(inputIds.subarray(row * width, (row + 1) * width), Number));
  let cache: Record<string, TensorLike> = {};
  for (const entry of plan.cache) {
    const dims = entry.shape.map((dimension) => (dimension === 'batch' ? batch : dimension === 'past' ? 0 : dimension));
    cache[entry.input] = { type: 'float32', data: new Float32Array(0), dims };
  }
  let ids = inputIds;
  let step = width;
  let mask = attentionMask;
  let length = width;
  const tokens = new Array<number>(batch);
  for (let generated = 0; generated < state.maxNewTokens; generated += 1) {
    const feeds: Record<string, TensorLike> = { ...cache, input_ids: int64(ids, [batch, step]), attention_mask: int64(mask, [batch, length]) };
    if (plan.positionIds) feeds.position_ids = int64(positionIds(mask, batch, length, step), [batch, step]);
    const outputs = await session.run(feeds);
    const logits = outputs.logits!;
    const data = logits.data as Float32Array;
    const vocabulary = logits.dims[logits.dims.length - 1]!;
    const positions = logits.dims.length === 3 ? logits.dims[1]! : 1;
    for (let row = 0; row < batch; row += 1) {
      const start = (row * positions + positions - 1) * vocabulary;
      tokens[row] = state.choose(row, data.subarray(start, start + vocabulary), () => sequences[row]!);
      sequences[row]!.push(tokens[row]!);
    }
    state.accept(tokens);
    if (state.done) break;
    cache = {};
    for (const entry of plan.cache) cache[entry.input] = outputs[entry.output]!;
    ids = BigInt64Array.from(tokens, (token) => BigInt(token));
    step = 1;
    const grown = new BigInt64Array(batch * (length + 1));
    for (let row = 0; row < batch; row += 1) {
      grown.set(mask.subarray(row * length, (row + 1) * length), row * (length + 1));
      grown[row * (length + 1) + length] = 1n;
    }
    mask = grown;
    length += 1;
  }
  state.end();
  return state.results();
}
