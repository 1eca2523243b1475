import { expect, it } from 'vitest';
import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, type Accel, type InferResult, type InferStream, type SkillV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { loadTransformers, type TextGenerationOptions, type TextGenerationOutput } from '@accel/transformers-kit';

/** What the shared decoder tests need from a skill's test file, read when each test runs. */
export interface DecoderGenerationContext {
  generate(prompt: string, options?: TextGenerationOptions): Promise<InferResult<TextGenerationOutput>>;
  stream(prompt: string, options: TextGenerationOptions): InferStream<TextGenerationOutput>;
  /** Greedy tokens from full forward passes without a KV cache, on the same files (see `referenceGreedyTokens`). */
  greedyWithoutCache(prompt: string, newTokens: number): Promise<number[]>;
  /** The tokenizer's decode, special tokens skipped. */
  decode(tokens: readonly number[]): string;
}

/** A transformers.js class the reference is loaded with (`AutoTokenizer`, `AutoModelForCausalLM`). */
export interface FromPretrained<Loaded> {
  from_pretrained(directory: string, options: { local_files_only: true; dtype?: 'fp32'; model_file_name?: string }): Promise<Loaded>;
}

export interface ForgedDecoderOptions<Tokenizer, Model> {
  /** Hub id of the decoder to forge. */
  readonly id: string;
  /** Where it is forged (e.g. the repository's `.cache/models/tiny`). */
  readonly modelRoot: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any decoder skill
  readonly skill: SkillV1<any, any, any, any, any>;
  /** addEndpoint options besides skill and model (e.g. the endpoint's id). */
  readonly endpoint?: Omit<Parameters<Accel['addEndpoint']>[0], 'skill' | 'model'>;
  /** The caller's transformers.js `AutoTokenizer` and `AutoModelForCausalLM` (so their types stay the caller's). */
  readonly tokenizer: FromPretrained<Tokenizer>;
  readonly model: FromPretrained<Model>;
  /** Passed to the reference model's `from_pretrained`, e.g. `{ model_file_name: 'decoder_model_merged' }`. */
  readonly modelOptions?: { readonly model_file_name?: string };
}

export interface ForgedDecoder<Tokenizer, Model> {
  /** The forged model's folder. */
  readonly directory: string;
  /** A registry serving it on cpu (one thread), loaded; the caller disposes it. */
  readonly accel: Accel;
  /** transformers.js's tokenizer and causal LM on the same files, in fp32: the reference. */
  readonly tokenizer: Tokenizer;
  readonly reference: Model;
}

/**
 * Forges a decoder, serves it from a loaded cpu registry and loads transformers.js's tokenizer and
 * causal LM on the same files (no remote models): the setup of every decoder skill's generation
 * tests, for `decoderGenerationTests` and `referenceGreedyTokens`.
 */
export async function loadForgedDecoder<Tokenizer, Model>(options: ForgedDecoderOptions<Tokenizer, Model>): Promise<ForgedDecoder<Tokenizer, Model>> {
  ((await loadTransformers()) as unknown as { env: { allowRemoteModels: boolean } }).env.allowRemoteModels = false;
  const { directory } = await forgeModel(options.id, { root: options.modelRoot });
  const accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [options.skill] });
  // One copy (a forged model is small enough for `replicas: 'auto'` to load two): the tests check what
  // sharing a batch does to a prompt, so the prompts they send together must run as one batch.
  accel.addEndpoint({ replicas: 1, ...options.endpoint, skill: options.skill, model: directory });
  await accel.init();
  const tokenizer = await options.tokenizer.from_pretrained(directory, { local_files_only: true });
  const reference = await options.model.from_pretrained(directory, { local_files_only: true, dtype: 'fp32', ...options.modelOptions });
  return { directory, accel, tokenizer, reference };
}

/** A stream's pieces and its final result. */
export async function collectStream<Output>(stream: InferStream<Output>): Promise<{ pieces: string[]; result: InferResult<Output> }> {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return { pieces, result: await stream.result };
}

/** A run of `length` ASCII letters from the second half of `text`, to use as a stop string. */
export function asciiWindow(text: string, length: number): string {
  for (let start = Math.floor(text.length / 2); start + length <= text.length; start += 1) {
    const window = text.slice(start, start + length);
    if (/^[a-z]+$/i.test(window)) return window;
  }
  throw new Error(`no ASCII window in ${JSON.stringify(text)}`);
}

/** The parts of a transformers.js causal LM and tokenizer the reference loop calls. */
export interface ReferenceDecoder {
  readonly model: (inputs: Record<string, unknown>) => Promise<unknown>;
  readonly tokenizer: { encode(text: string): number[] };
  readonly endOfSequence: number;
}

/**
 * Greedy tokens from one full forward pass per step (no KV cache) of a transformers.js model
 * on the forged decoder: what cached generation must reproduce.
 */
export async function referenceGreedyTokens(reference: ReferenceDecoder, prompt: string, newTokens: number): Promise<number[]> {
  const { Tensor } = await loadTransformers();
  const ids = reference.tokenizer.encode(prompt);
  const generated: number[] = [];
  for (let step = 0; step < newTokens; step += 1) {
    const { logits } = (await reference.model({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]),
    })) as { logits: { dims: number[]; data: Float32Array } };
    const vocabulary = logits.dims[2]!;
    const last = logits.data.subarray(logits.data.length - vocabulary);
    const next = last.indexOf(Math.max(...last));
    if (next === reference.endOfSequence) break;
    ids.push(next);
    generated.push(next);
  }
  return generated;
}

/**
 * The generation tests every decoder-only text skill shares (GPT-2, LLaMA/OPT): cached greedy
 * equals full passes, a prompt in a left-padded batch gets its single tokens, seeded sampling is
 * reproducible and `topK: 1` is greedy, and stop strings cut text and stream alike. Call it inside
 * the skill's `describe`, after the `beforeAll` that loads the endpoint.
 */
export function decoderGenerationTests(context: () => DecoderGenerationContext): void {
  it('generates greedily with the KV cache exactly what full forward passes pick', async () => {
    const { generate, greedyWithoutCache, decode } = context();
    const { output } = await generate('Once upon a time', { maxNewTokens: 12 });
    const expected = await greedyWithoutCache('Once upon a time', 12);
    expect(output.tokens).toEqual(expected);
    expect(output.text).toBe(decode(expected));
    expect(output.stopReason).toBe(expected.length === 12 ? 'length' : 'eos');
  });

  it('gives a prompt inside a left-padded batch exactly the tokens it gets alone', async () => {
    const { generate } = context();
    const requests: Array<[string, TextGenerationOptions]> = [
      ['a', { maxNewTokens: 5 }],
      ['Once upon a time there was a cat', { maxNewTokens: 12 }],
      ['The quick brown fox jumps over the lazy dog again and again', { maxNewTokens: 8 }],
    ];
    const singles: InferResult<TextGenerationOutput>[] = [];
    for (const [prompt, options] of requests) singles.push(await generate(prompt, options));
    const batched = await Promise.all(requests.map(([prompt, options]) => generate(prompt, options)));
    expect(batched.map((result) => Math.max(...result.provenance.batchSizes))).toEqual([3, 3, 3]);
    batched.forEach((result, index) => expect(result.output).toEqual(singles[index]!.output));
    expect(new Set(singles.map((result) => result.output.text)).size).toBe(3);
  });

  it('samples reproducibly for a seed, differently for another seed, and greedily with topK 1', async () => {
    const { generate } = context();
    const sample = (seed: number, extra: TextGenerationOptions = {}) => generate('Once upon a time', { maxNewTokens: 16, temperature: 1, seed, ...extra });
    const [first, again, other] = await Promise.all([sample(1), sample(1), sample(2)]);
    expect(again!.output).toEqual(first!.output);
    expect(other!.output.tokens).not.toEqual(first!.output.tokens);
    const greedy = await generate('Once upon a time', { maxNewTokens: 16 });
    expect(greedy.output.tokens).not.toEqual(first!.output.tokens);
    expect((await sample(5, { topK: 1 })).output.tokens).toEqual(greedy.output.tokens);
  });

  it('cuts the text before a stop string, streams only what precedes it, and says why it stopped', async () => {
    const { generate, stream } = context();
    const options = { maxNewTokens: 32, temperature: 1, seed: 7 };
    const { output: free } = await generate('Once upon a time', options);
    const stop = asciiWindow(free.text, 2);
    const cut = free.text.slice(0, free.text.indexOf(stop));
    const { pieces, result } = await collectStream(stream('Once upon a time', { ...options, stop: [stop] }));
    expect(result.output.text).toBe(cut);
    expect(result.output.stopReason).toBe('stop-string');
    expect(pieces.join('')).toBe(cut);
  });
}
