import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoModelForSeq2SeqLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t5Skill, type T5Options } from '../src/index.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const translate = 'translate English to German: the house is small';
const summarize = 'summarize: the quick brown fox jumps over the lazy dog because it is happy';
let directory = '';
let accel: Accel;
const temporaryFolders: string[] = [];

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/t5-small', { root: modelRoot }));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [t5Skill] });
  accel.addEndpoint({ id: 'main', skill: t5Skill, model: directory });
  accel.addEndpoint({ id: 'short', skill: t5Skill, model: directory, contextLength: 6 });
  accel.addEndpoint({ id: 'int8', skill: t5Skill, model: directory, dtype: 'q8' });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
  await Promise.all(temporaryFolders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const generate = async (prompt: string, options: T5Options & { endpoint?: string } = {}) =>
  accel.infer(t5Skill, prompt, { endpoint: 'main', maxNewTokens: 12, ...options });

/** Greedy decoding with one full (uncached) decoder pass per token, through transformers.js's own loading. */
async function greedyByFullPasses(prompt: string, maxNewTokens: number): Promise<string> {
  const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  const model = await AutoModelForSeq2SeqLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
  const inputs = tokenizer(prompt);
  const decoderIds = [0];
  while (decoderIds.length <= maxNewTokens) {
    const decoderInput = new Tensor('int64', BigInt64Array.from(decoderIds, BigInt), [1, decoderIds.length]);
    const { logits } = (await model({ ...inputs, decoder_input_ids: decoderInput })) as { logits: Tensor };
    const vocabulary = logits.dims.at(-1)!;
    const lastRow = (logits.data as Float32Array).subarray(logits.data.length - vocabulary);
    const next = lastRow.indexOf(Math.max(...lastRow));
    if (next === tokenizer.eos_token_id) break;
    decoderIds.push(next);
  }
  await model.dispose();
  return tokenizer.decode(decoderIds.slice(1), { skip_special_tokens: true });
}

describe('t5 text-to-text generation', () => {
  it('reports usage (prompt tokens, generated tokens) and serves completions, not chats, through capabilities.generate', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const capability = t5Skill.capabilities!.generate!;
    expect(capability).toMatchObject({ chat: false, completion: true, images: false });
    const request = capability.request({ prompt: translate, maxNewTokens: 5 });
    const { output, provenance } = await accel.infer(t5Skill, request.input, { ...request.options, endpoint: 'main' });
    expect(provenance.usage).toEqual({ inputTokens: tokenizer.encode(translate).length, outputTokens: provenance.timings.tokensGenerated });
    expect(provenance.usage!.outputTokens).toBeGreaterThan(0);
    expect(capability.result(output)).toEqual({ text: (await generate(translate, { maxNewTokens: 5 })).output.text, stopReason: output.stopReason });
    expect(() => capability.request({ prompt: [{ role: 'user', content: 'hi' }] })).toThrow(InvalidInputError);
  });

  it('decodes greedily by default: the same prompt gives the same text, other prompts other texts', async () => {
    const first = await generate(translate);
    const again = await generate(translate);
    const other = await generate(summarize);
    expect(first.output.text.length).toBeGreaterThan(0);
    expect(again.output).toEqual(first.output);
    expect(other.output.text).not.toBe(first.output.text);
    expect(first.output.stopReason).toBe('length');
  });

  it('generates with the KV cache exactly the tokens one full decoder pass per token picks', async () => {
    const { output } = await generate(translate, { maxNewTokens: 10 });
    expect(output.text).toBe(await greedyByFullPasses(translate, 10));
  });

  it('gives a prompt inside a batch exactly the text it gives alone', async () => {
    const prompts = [translate, summarize, 'hello', 'summarize: a cat sat on the mat'];
    const alone = [];
    for (const prompt of prompts) alone.push((await generate(prompt)).output);
    const together = await Promise.all(prompts.map((prompt) => generate(prompt)));
    expect(Math.max(...together.flatMap((result) => result.provenance.batchSizes))).toBeGreaterThan(1);
    expect(together.map((result) => result.output)).toEqual(alone);
  });

  it('samples reproducibly with a seed, and differently with other seeds', async () => {
    const sampled = (seed: number) => generate(summarize, { temperature: 1.5, seed }).then((result) => result.output.text);
    const first = await sampled(7);
    expect(await sampled(7)).toBe(first);
    const texts = new Set([first, ...(await Promise.all([1, 2, 3, 4].map(sampled)))]);
    expect(texts.size).toBeGreaterThan(1);
    const greedy = (await generate(summarize)).output.text;
    expect([...texts].some((text) => text !== greedy)).toBe(true);
  });

  it('stops at a stop string, leaves it out, and never streams it', async () => {
    const full = (await generate(translate, { maxNewTokens: 16 })).output.text;
    const words = full.split(' ');
    const stop = ` ${words[2]}`;
    const expected = full.slice(0, full.indexOf(stop));
    expect(expected.length).toBeGreaterThan(0);
    const stream = accel.stream(t5Skill, translate, { endpoint: 'main', maxNewTokens: 16, stop: [stop] });
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    const { output } = await stream.result;
    expect(output).toEqual({ text: expected, stopReason: 'stop-string' });
    expect(pieces.join('')).toBe(expected);
  });

  it('streams text piece by piece and ends with the full result and its timings', async () => {
    const stream = accel.stream(t5Skill, summarize, { endpoint: 'main', maxNewTokens: 12 });
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    const { output, provenance } = await stream.result;
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(output.text);
    expect(output.stopReason).toBe('length');
    expect(provenance.timings.tokensGenerated).toBe(12);
    expect(provenance.timings.tokensPerSecond).toBeGreaterThan(0);
    expect(provenance.timings.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(provenance.timings.timeToFirstTokenMs).toBeLessThanOrEqual(provenance.timings.inferenceMs);
  });

  it('stops when the stream is aborted and keeps the endpoint serving', async () => {
    const controller = new AbortController();
    const stream = accel.stream(t5Skill, translate, { endpoint: 'main', maxNewTokens: 5000, signal: controller.signal });
    const pieces: string[] = [];
    const consumed = (async () => {
      for await (const piece of stream) {
        pieces.push(piece);
        controller.abort();
      }
    })();
    await expect(consumed).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    expect(pieces.length).toBeGreaterThan(0);
    const next = await generate(translate);
    expect(next.output).toEqual((await generate(translate)).output);
    expect(accel.status('main')[0]!.queue.busy).toBe(false);
  });

  it('rejects invalid options with InvalidInputError before any work is done', async () => {
    const servedBefore = accel.status('main')[0]!.served;
    const invalid: T5Options[] = [{ maxNewTokens: 0 }, { maxNewTokens: -3 }, { temperature: -0.5 }, { topP: 0 }, { topP: 1.01 }, { topK: 1.5 }, { seed: 0.5 }, { stop: [''] }];
    for (const options of invalid) {
      await expect(generate(translate, options), JSON.stringify(options)).rejects.toSatisfy(InvalidInputError.isInstance);
    }
    await expect(accel.infer(t5Skill, [{ role: 'user', content: 'hi' }] as never, { endpoint: 'main' })).rejects.toThrow(/no chat template/);
    expect(accel.status('main')[0]!.served).toBe(servedBefore);
  });

  it('refuses a prompt longer than the encoder context without failing its batch-mates', async () => {
    const [long, short] = await Promise.allSettled([generate(translate, { endpoint: 'short' }), generate('hello', { endpoint: 'short' })]);
    expect(long.status).toBe('rejected');
    const error = (long as PromiseRejectedResult).reason as InvalidInputError;
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("the prompt is 10 tokens long, more than the encoder's context of 6 tokens");
    expect(short.status).toBe('fulfilled');
  });

  it('names the encoder, the merged decoder and the tokenizer in the provenance, and runs the int8 files', async () => {
    const { provenance } = await generate(translate);
    expect(provenance).toMatchObject({ skill: 't5', task: 'text2text-generation', backend: 'cpu', dtype: 'fp32' });
    expect(provenance.model.files).toEqual(
      expect.arrayContaining(['config.json', 'generation_config.json', 'tokenizer.json', 'onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']),
    );
    const quantized = await generate(translate, { endpoint: 'int8' });
    expect(quantized.output.text.length).toBeGreaterThan(0);
    expect(quantized.provenance.model.files).toEqual(expect.arrayContaining(['onnx/encoder_model_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx']));
  });

  it('works without generation_config.json, reading the token ids from config.json', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'skill-t5-'));
    temporaryFolders.push(folder);
    await cp(directory, folder, { recursive: true });
    await rm(join(folder, 'generation_config.json'));
    const registry = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [t5Skill] });
    registry.addEndpoint({ skill: t5Skill, model: folder });
    try {
      const { output, provenance } = await registry.infer(t5Skill, translate, { maxNewTokens: 12 });
      expect(output).toEqual((await generate(translate)).output);
      expect(provenance.model.files).not.toContain('generation_config.json');
    } finally {
      await registry.dispose();
    }
  });
});
