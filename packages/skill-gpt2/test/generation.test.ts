import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, createAccel, InvalidInputError, type Accel } from '@accel/core';
import { collectStream, decoderGenerationTests, loadForgedDecoder, referenceGreedyTokens } from '@accel/testkit';
import { AutoModelForCausalLM, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpt2Skill, type Gpt2Options } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const endOfText = 556;
let directory = '';
let accel: Accel;
let tokenizer: PreTrainedTokenizer;
let reference: PreTrainedModel;

beforeAll(async () => {
  ({ directory, accel, tokenizer, reference } = await loadForgedDecoder({ id: 'Xenova/gpt2', modelRoot, skill: gpt2Skill, endpoint: { id: 'gpt2' }, tokenizer: AutoTokenizer, model: AutoModelForCausalLM }));
});
afterAll(() => accel.dispose());

const generate = (prompt: string, options: Gpt2Options = {}) => accel.infer(gpt2Skill, prompt, options);

describe('gpt2 skill on a forged GPT-2 (cpu)', () => {
  decoderGenerationTests(() => ({
    generate,
    stream: (prompt, options) => accel.stream(gpt2Skill, prompt, options),
    greedyWithoutCache: (prompt, newTokens) => referenceGreedyTokens({ model: reference, tokenizer, endOfSequence: endOfText }, prompt, newTokens),
    decode: (tokens) => tokenizer.decode([...tokens], { skip_special_tokens: true }),
  }));

  it('streams pieces as they are generated and records tokens per second', async () => {
    const { pieces, result } = await collectStream(accel.stream(gpt2Skill, 'The history of science', { maxNewTokens: 16, temperature: 0.8, seed: 3 }));
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
    const onThread = await collectStream(inline.stream(gpt2Skill, 'Once upon a time', options));
    const onWorker = await collectStream(accel.stream(gpt2Skill, 'Once upon a time', options));
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

  it('reports usage (prompt tokens, generated tokens) and serves standard generate requests through capabilities.generate', async () => {
    const prompt = 'Once upon a time';
    const direct = await generate(prompt, { maxNewTokens: 6 });
    expect(direct.provenance.usage).toEqual({ inputTokens: tokenizer.encode(prompt).length, outputTokens: direct.output.tokens.length });
    expect(direct.provenance.usage!.outputTokens).toBeGreaterThan(0);

    const capability = gpt2Skill.capabilities!.generate!;
    expect(capability).toMatchObject({ chat: true, completion: true, images: false });
    const request = capability.request({ prompt, maxNewTokens: 6, temperature: 0.5, topP: 0.9, topK: 5, repetitionPenalty: 1.1, stop: ['xyz'], seed: 4 });
    expect(request).toEqual({ input: prompt, options: { maxNewTokens: 6, temperature: 0.5, topP: 0.9, topK: 5, repetitionPenalty: 1.1, stop: ['xyz'], seed: 4 } });
    const greedy = capability.request({ prompt, maxNewTokens: 6 });
    const mapped = await accel.infer(gpt2Skill, greedy.input, greedy.options);
    expect(capability.result(mapped.output)).toEqual({ text: direct.output.text, stopReason: direct.output.stopReason });
    expect(() => capability.request({ prompt, images: [new Uint8Array([1])] })).toThrow(/takes no images/);
    // Chat is declared, but this model has no chat template: the skill's own typed error, when the request runs.
    const chat = capability.request({ prompt: [{ role: 'user', content: 'hello' }], maxNewTokens: 2 });
    await expect(accel.infer(gpt2Skill, chat.input, chat.options)).rejects.toThrow(/no chat template/);
  });
});
