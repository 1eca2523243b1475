import { forgeModel } from '@accel/model-forge';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InferenceSessionV1, ItemControl, SessionValueMetadata, TensorLike } from '@accel/core';
import { generateRows, resolveGenerationOptions } from '../src/index.js';
import { planDecoderLoop, runDecoderLoop, type DecoderLoopPlan } from '../src/transformers/text-generation/decoder-loop.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let model: PreTrainedModel;
let tokenizer: PreTrainedTokenizer;
let session: InferenceSessionV1;
let plan: DecoderLoopPlan;
let eos: number;

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly SessionValueMetadata[];
  readonly outputMetadata: readonly SessionValueMetadata[];
  run(feeds: Record<string, unknown>): Promise<Record<string, TensorLike>>;
}

beforeAll(async () => {
  env.allowRemoteModels = false;
  const { directory } = await forgeModel('Xenova/gpt2', { root: modelRoot });
  model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
  tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  tokenizer.padding_side = 'left';
  eos = Number(tokenizer.convert_tokens_to_ids('<|endoftext|>'));
  // The very onnxruntime session transformers.js runs, fed plain tensors as accel's backends are.
  const ort = (model as unknown as { sessions: Record<string, OrtSession> }).sessions.model!;
  session = {
    inputNames: ort.inputNames,
    outputNames: ort.outputNames,
    inputMetadata: ort.inputMetadata,
    outputMetadata: ort.outputMetadata,
    run: (feeds) =>
      ort.run(Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, (new Tensor(tensor.type as 'int64', tensor.data as BigInt64Array, [...tensor.dims]) as unknown as { ort_tensor: unknown }).ort_tensor]))),
    release: async () => undefined,
  };
  const planned = planDecoderLoop(session);
  if (typeof planned === 'string') throw new Error(planned);
  plan = planned;
});

type Options = Parameters<typeof resolveGenerationOptions>[0];

/** The same rows through transformers.js's generate (generateRows) and through accel's loop, each streaming into its own pieces. */
async function both(prompts: string[], options: Options[]) {
  const inputs = tokenizer(prompts, { padding: true }) as { input_ids: Tensor; attention_mask: Tensor };
  const width = inputs.input_ids.dims[1]!;
  const streamed = () => options.map(() => [] as string[]);
  const rows = (pieces: string[][]) =>
    options.map((option, index) => ({ options: resolveGenerationOptions(option), control: { signal: new AbortController().signal, emit: (text) => pieces[index]!.push(text) } satisfies ItemControl }));
  const referencePieces = streamed();
  const reference = await generateRows({ model: model as never, tokenizer: tokenizer as never, inputs, rows: rows(referencePieces), eosTokenIds: [eos] });
  const loopPieces = streamed();
  const loop = await runDecoderLoop({
    session,
    plan,
    tokenizer: tokenizer as never,
    inputIds: inputs.input_ids.data as BigInt64Array,
    attentionMask: inputs.attention_mask.data as BigInt64Array,
    width,
    rows: rows(loopPieces),
    eosTokenIds: [eos],
  });
  const strip = (row: (typeof loop)[number]) => ({ tokens: row.tokens, text: row.text, stopReason: row.stopReason });
  return { reference: reference.map(strip), loop: loop.map(strip), referencePieces, loopPieces };
}

describe("accel's decoder loop on a forged GPT-2 gives what transformers.js's generate gives", () => {
  it('plans the GPT-2 layout: position ids and one past input per present output', () => {
    expect(plan.positionIds).toBe(true);
    expect(plan.cache.length).toBe(session.inputNames.filter((name) => name.startsWith('past_key_values.')).length);
    expect(plan.cache[0]).toEqual({ input: 'past_key_values.0.key', output: 'present.0.key', shape: ['batch', expect.any(Number), 'past', expect.any(Number)] });
  });

  it('greedy: the same tokens, text and streamed pieces', async () => {
    const { reference, loop, referencePieces, loopPieces } = await both(['the cat sat on'], [{ maxNewTokens: 12 }]);
    expect(reference[0]!.tokens.length).toBeGreaterThan(0);
    expect(loop).toEqual(reference);
    expect(loopPieces).toEqual(referencePieces);
  });

  it('a left-padded batch: each row its own length, stop string and padding-aware positions', async () => {
    const prompts = ['hello', 'a much longer prompt than the first one', 'the cat'];
    const options: Options[] = [{ maxNewTokens: 10 }, { maxNewTokens: 4 }, { maxNewTokens: 9, temperature: 1.2, seed: 5, stop: ['e'] }];
    const { reference, loop, referencePieces, loopPieces } = await both(prompts, options);
    expect(reference.map((row) => row.tokens.length).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(4);
    expect(loop).toEqual(reference);
    expect(loopPieces).toEqual(referencePieces);
  });

  it('sampling with temperature, top-k, top-p and a repetition penalty over the padded sequence', async () => {
    const options: Options[] = [
      { maxNewTokens: 16, temperature: 0.9, topK: 40, topP: 0.9, repetitionPenalty: 1.3, seed: 11 },
      { maxNewTokens: 16, repetitionPenalty: 1.5 },
    ];
    const { reference, loop } = await both(['once upon a time', 'x'], options);
    expect(loop).toEqual(reference);
  });
});

describe('a row nobody streams (control.streaming false, accel.infer)', () => {
  it('gets the text a streamed row gets, decoded once at the end instead of at every token', async () => {
    const prompt = tokenizer(['the cat sat on'], { padding: true }) as { input_ids: Tensor; attention_mask: Tensor };
    const generate = async (streaming: boolean) => {
      const pieces: string[] = [];
      let decodes = 0;
      const counting = { decode: (tokens: number[], options?: { skip_special_tokens?: boolean }) => (decodes += 1, tokenizer.decode(tokens, options)) };
      const [row] = await runDecoderLoop({
        session,
        plan,
        tokenizer: counting,
        inputIds: prompt.input_ids.data as BigInt64Array,
        attentionMask: prompt.attention_mask.data as BigInt64Array,
        width: prompt.input_ids.dims[1]!,
        rows: [{ options: resolveGenerationOptions({ maxNewTokens: 12 }), control: { signal: new AbortController().signal, emit: (text) => pieces.push(text), streaming } }],
        eosTokenIds: [eos],
      });
      return { row: row!, pieces, decodes };
    };
    const streamed = await generate(true);
    const quiet = await generate(false);
    expect(streamed.row.tokens.length).toBeGreaterThan(1);
    expect(quiet.row).toEqual({ ...streamed.row, timings: expect.anything() });
    expect(streamed.decodes).toBe(streamed.row.tokens.length + 1);
    expect(quiet.decodes).toBe(1);
    expect(quiet.pieces.join('')).toBe(quiet.row.text);
  });
});

describe('planDecoderLoop leaves other layouts to transformers.js, saying why', () => {
  const metadata = (name: string, type = 'float32', shape: (number | string)[] = ['batch_size', 2, 'past_sequence_length', 8]): SessionValueMetadata => ({ name, isTensor: true, type, shape });
  const fake = (inputs: SessionValueMetadata[], outputs: SessionValueMetadata[]): InferenceSessionV1 => ({
    inputNames: inputs.map((entry) => entry.name),
    outputNames: outputs.map((entry) => entry.name),
    inputMetadata: inputs,
    outputMetadata: outputs,
    run: () => Promise.reject(new Error('not run')),
    release: async () => undefined,
  });
  const ids = [metadata('input_ids', 'int64', ['batch_size', 'sequence_length']), metadata('attention_mask', 'int64', ['batch_size', 'total_sequence_length'])];
  const logits = metadata('logits', 'float32', ['batch_size', 'sequence_length', 100]);

  it('plans a cache fed by present outputs, without position ids when the graph takes none (OPT)', () => {
    expect(planDecoderLoop(fake([...ids, metadata('past_key_values.0.key')], [logits, metadata('present.0.key')]))).toEqual({
      positionIds: false,
      cache: [{ input: 'past_key_values.0.key', output: 'present.0.key', shape: ['batch', 2, 'past', 8] }],
    });
  });

  it('refuses extra inputs, caches without a present output, float16, unknown shapes, no cache and float16 logits', () => {
    const past = metadata('past_key_values.0.key');
    const present = metadata('present.0.key');
    expect(planDecoderLoop(fake([...ids, past, metadata('use_cache_branch', 'bool', [1])], [logits, present]))).toMatch(/use_cache_branch is not one the loop feeds/);
    expect(planDecoderLoop(fake([...ids, past], [logits]))).toMatch(/no output present.0.key/);
    expect(planDecoderLoop(fake([...ids, metadata('past_key_values.0.key', 'float16')], [logits, present]))).toMatch(/float16, not float32/);
    expect(planDecoderLoop(fake([...ids, metadata('past_key_values.0.key', 'float32', ['batch_size x num_heads', 'past_sequence_length', 8])], [logits, present]))).toMatch(/shape/);
    expect(planDecoderLoop(fake(ids, [logits]))).toMatch(/no past_key_values/);
    expect(planDecoderLoop(fake([...ids, past], [metadata('logits', 'float16'), present]))).toMatch(/logits is float16/);
  });
});
