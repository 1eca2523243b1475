import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, createAccel, InvalidInputError, type Accel, type InferResult } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpt2Skill, type Gpt2Options, type TextGenerationOutput } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const endOfText = 556;
let directory = '';
let accel: Accel;
let tokenizer: PreTrainedTokenizer;
let reference: PreTrainedModel;

beforeAll(async () => {
  env.allowRemoteModels = false;
  ({ directory } = await forgeModel('Xenova/gpt2', { root: modelRoot }));
  accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [gpt2Skill] });
  accel.addEndpoint({ skill: gpt2Skill, model: directory, id: 'gpt2' });
  await accel.init();
  tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  reference = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
});
afterAll(() => accel.dispose());

const generate = (prompt: string, options: Gpt2Options = {}) => accel.infer(gpt2Skill, prompt, options);

async function collect(stream: AsyncIterable<string> & { result: Promise<InferResult<TextGenerationOutput>> }) {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return { pieces, result: await stream.result };
}

/** Greedy tokens from one full forward pass (no KV cache) per step on the forged decoder. */
async function greedyWithoutCache(prompt: string, newTokens: number): Promise<number[]> {
  const ids = tokenizer.encode(prompt);
  const generated: number[] = [];
  for (let step = 0; step < newTokens; step += 1) {
    const { logits } = (await reference({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]),
    })) as { logits: Tensor };
    const vocabulary = logits.dims[2]!;
    const last = (logits.data as Float32Array).subarray(logits.data.length - vocabulary);
    const next = last.indexOf(Math.max(...last));
    if (next === endOfText) break;
    ids.push(next);
    generated.push(next);
  }
  return generated;
}

function asciiWindow(text: string, length: number): string {
  for (let start = Math.floor(text.length / 2); start + length <= text.length; start += 1) {
    const window = text.slice(start, start + length);
    if (/^[a-z]+$/i.test(window)) return window;
  }
  throw new Error(`no ASCII window in ${JSON.stringify(text)}`);
}

describe('gpt2 skill on a forged GPT-2 (cpu)', () => {
  it('generates greedily with the KV cache exactly what full forward passes pick', async () => {
    const { output } = await generate('Once upon a time', { maxNewTokens: 12 });
    const expected = await greedyWithoutCache('Once upon a time', 12);
    expect(output.tokens).toEqual(expected);
    expect(output.text).toBe(tokenizer.decode(expected, { skip_special_tokens: true }));
    expect(output.stopReason).toBe(expected.length === 12 ? 'length' : 'eos');
  });

  it('gives a prompt inside a left-padded batch exactly the tokens it gets alone', async () => {
    const requests: Array<[string, Gpt2Options]> = [
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
    const sample = (seed: number, extra: Gpt2Options = {}) => generate('Once upon a time', { maxNewTokens: 16, temperature: 1, seed, ...extra });
    const [first, again, other] = await Promise.all([sample(1), sample(1), sample(2)]);
    expect(again!.output).toEqual(first!.output);
    expect(other!.output.tokens).not.toEqual(first!.output.tokens);
    const greedy = await generate('Once upon a time', { maxNewTokens: 16 });
    expect(greedy.output.tokens).not.toEqual(first!.output.tokens);
    expect((await sample(5, { topK: 1 })).output.tokens).toEqual(greedy.output.tokens);
  });

  it('cuts the text before a stop string, streams only what precedes it, and says why it stopped', async () => {
    const options = { maxNewTokens: 32, temperature: 1, seed: 7 };
    const { output: free } = await generate('Once upon a time', options);
    const stop = asciiWindow(free.text, 2);
    const cut = free.text.slice(0, free.text.indexOf(stop));
    const { pieces, result } = await collect(accel.stream(gpt2Skill, 'Once upon a time', { ...options, stop: [stop] }));
    expect(result.output.text).toBe(cut);
    expect(result.output.stopReason).toBe('stop-string');
    expect(pieces.join('')).toBe(cut);
  });

  it('streams pieces as they are generated and records tokens per second', async () => {
    const { pieces, result } = await collect(accel.stream(gpt2Skill, 'The history of science', { maxNewTokens: 16, temperature: 0.8, seed: 3 }));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(result.output.text);
    const { timings } = result.provenance;
    expect(timings.tokensGenerated).toBe(result.output.tokens.length);
    expect(timings.tokensPerSecond).toBeGreaterThan(0);
    expect(timings.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(result.provenance.task).toBe('text-generation');
  });

  it('rejects every out-of-range option before any work: the endpoint is never loaded', async () => {
    const idle = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [gpt2Skill] });
    idle.addEndpoint({ skill: gpt2Skill, model: directory, id: 'idle' });
    const invalid: unknown[] = [
      { maxNewTokens: 0 },
      { maxNewTokens: -1 },
      { temperature: -0.1 },
      { topP: 0 },
      { topP: 1.01 },
      { topK: -2 },
      { repetitionPenalty: -1 },
      { stop: [''] },
      { seed: 1.5 },
    ];
    for (const options of invalid) {
      await expect(idle.infer(gpt2Skill, 'hello', options as Gpt2Options), JSON.stringify(options)).rejects.toSatisfy(InvalidInputError.isInstance);
    }
    expect(idle.status()[0]!.state).toBe('added');
    await idle.dispose();
  });

  it('refuses chat messages (no chat template) and prompts longer than the context; cuts maxNewTokens to the room left', async () => {
    const chat = await generate([{ role: 'user', content: 'hello' }] as never).catch((error: unknown) => error);
    expect(InvalidInputError.isInstance(chat)).toBe(true);
    expect((chat as InvalidInputError).reason).toMatch(/no chat template/);

    const long = await generate('the cat sat on the mat. '.repeat(40)).catch((error: unknown) => error);
    expect(InvalidInputError.isInstance(long)).toBe(true);
    expect((long as InvalidInputError).reason).toMatch(/context holds 128/);

    const prompt = 'the cat sat on the mat. '.repeat(12);
    const promptTokens = tokenizer.encode(prompt).length;
    const { output, provenance } = await generate(prompt, { maxNewTokens: 100 });
    expect(promptTokens + 100).toBeGreaterThan(128);
    expect(output.tokens.length).toBeLessThanOrEqual(128 - promptTokens);
    expect(provenance.notes).toEqual([expect.objectContaining({ kind: 'truncated', message: expect.stringMatching(/cut to \d+/) })]);
  });

  it('stops an aborted stream and keeps the endpoint serving the next request', async () => {
    const expected = (await generate('Once upon a time', { maxNewTokens: 8 })).output;
    const controller = new AbortController();
    const stream = accel.stream(gpt2Skill, 'Once upon a time', { maxNewTokens: 100, signal: controller.signal });
    stream.result.catch(() => undefined);
    const pieces: string[] = [];
    const iterated = (async () => {
      for await (const piece of stream) {
        pieces.push(piece);
        controller.abort();
      }
    })();
    await expect(iterated).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    expect(pieces).toHaveLength(1);
    const next = await generate('Once upon a time', { maxNewTokens: 8 });
    expect(next.output).toEqual(expected);
    expect(accel.status()[0]).toMatchObject({ state: 'ready', queue: { pending: 0, busy: false } });
  });

  it('streams from a worker thread (the default) exactly what the calling thread generates', async () => {
    const inline = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [gpt2Skill] });
    inline.addEndpoint({ skill: gpt2Skill, model: directory, isolation: 'inline' });
    const options = { maxNewTokens: 12, temperature: 0.9, seed: 21 };
    const onThread = await collect(inline.stream(gpt2Skill, 'Once upon a time', options));
    const onWorker = await collect(accel.stream(gpt2Skill, 'Once upon a time', options));
    expect(onWorker.result.provenance.isolation).toBe('worker');
    expect(onThread.result.provenance.isolation).toBe('inline');
    expect(onWorker.result.output).toEqual(onThread.result.output);
    expect(onWorker.pieces.join('')).toBe(onThread.pieces.join(''));
    await inline.dispose();
  });

  it('runs the int8 model (dtype q8)', async () => {
    const quantized = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [gpt2Skill] });
    quantized.addEndpoint({ skill: gpt2Skill, model: directory, dtype: 'q8' });
    const { output, provenance } = await quantized.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 6 });
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(provenance.model.files).toContain('onnx/model_quantized.onnx');
    await quantized.dispose();
  });
});
