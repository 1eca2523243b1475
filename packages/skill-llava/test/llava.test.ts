import { corruptImage, createTestLoadContext, gradientPixels, splitImagePng } from '@accel/testkit';
import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, Accel, InvalidInputError, validateWithSchema, type InferResult } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { LogitsProcessor, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llavaSkill, type LlavaInput, type LlavaOptions, type LlavaOutput } from '../src/index.js';
import { openLlava, type LlavaParts } from '../src/llava-model.js';
import { encodeImagePrompt, prepareVisionLanguageItem } from '@accel/transformers-kit';

const cpuLoadContext = (directory: string) => createTestLoadContext(directory, createCpuBackend({ threads: 1 }));

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let parts: LlavaParts;
let accel: Accel;
let red: Uint8Array;
let blue: Uint8Array;

beforeAll(async () => {
  directory = (await forgeModel('llava-hf/llava-interleave-qwen-0.5b-hf', { root: modelRoot })).directory;
  parts = await openLlava(cpuLoadContext(directory));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaSkill] });
  accel.addEndpoint({ skill: llavaSkill, model: directory, id: 'llava' });
  red = await splitImagePng(40, 30, [255, 0, 0], [0, 0, 255]);
  blue = await splitImagePng(40, 30, [0, 0, 255], [255, 255, 0]);
});
afterAll(async () => {
  await parts.release();
  await accel.dispose();
});

const infer = (input: LlavaInput, options?: LlavaOptions) => accel.infer(llavaSkill, input, options) as Promise<InferResult<LlavaOutput>>;

/** Model inputs for one item, built the way the skill builds them. */
async function modelInputs(input: LlavaInput, options?: LlavaOptions) {
  const item = prepareVisionLanguageItem(input, options);
  const images = await parts.encodeImages(item);
  const prompt = encodeImagePrompt(parts.batch.tokenizer, item, parts.batch.imageTokens, images.featureCounts, 'test');
  return {
    prompt,
    pixelValues: new Tensor('float32', images.pixelValues, [images.count, 3, ...images.inputSize]),
  };
}

async function fullPassLogits(prompt: readonly number[], pixelValues: Tensor): Promise<Float32Array> {
  const inputIds = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const attentionMask = new Tensor('int64', BigInt64Array.from(prompt, () => 1n), [1, prompt.length]);
  const { logits } = (await parts.model({ input_ids: inputIds, attention_mask: attentionMask, pixel_values: pixelValues })) as { logits: Tensor };
  const vocabulary = logits.dims[2]!;
  return (logits.data as Float32Array).slice(logits.data.length - vocabulary);
}

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

/** A printable ASCII character of the text past its first character, to use as a stop string. */
function printableAfterStart(text: string): string {
  const found = [...text].slice(1).find((character) => /^[!-~]$/.test(character));
  expect(found, `no printable character in ${JSON.stringify(text)}`).toBeDefined();
  return found!;
}

class LogitsRecorder extends LogitsProcessor {
  /** Per step, per row. */
  readonly rows: Float32Array[][] = [];
  get steps(): Float32Array[] {
    return this.rows.map((step) => step[0]!);
  }
  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    const batch = logits.dims[0]!;
    this.rows.push(Array.from({ length: batch }, (_, row) => Float32Array.from((logits as unknown as { [row: number]: { data: Float32Array } })[row]!.data)));
    return logits;
  }
}

describe('the LLaVA model the skill builds', () => {
  it('gives different logits for different images with the same prompt, and the same logits for the same image', async () => {
    const prompt = 'What is in the picture?';
    const first = await modelInputs({ images: red, prompt });
    const second = await modelInputs({ images: blue, prompt });
    expect(first.prompt).toEqual(second.prompt);
    expect(first.prompt.filter((token) => token === parts.batch.imageTokens.id)).toHaveLength(16);
    const redLogits = await fullPassLogits(first.prompt, first.pixelValues);
    expect(largestDifference(redLogits, await fullPassLogits(second.prompt, second.pixelValues))).toBeGreaterThan(1e-3);
    expect(largestDifference(redLogits, await fullPassLogits(first.prompt, first.pixelValues))).toBe(0);
  });

  it('generates with the KV cache the logits of full forward passes over the growing sequence', async () => {
    const { prompt, pixelValues } = await modelInputs({ images: [red, gradientPixels(20, 20, 7)], prompt: 'Compare <image> with <image>.' });
    const recorder = new LogitsRecorder();
    const inputIds = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
    const attentionMask = new Tensor('int64', BigInt64Array.from(prompt, () => 1n), [1, prompt.length]);
    const generated = (await parts.model.generate({ input_ids: inputIds, attention_mask: attentionMask, pixel_values: pixelValues, max_new_tokens: 5, do_sample: false, logits_processor: [recorder] as never })) as Tensor;
    const sequence = ((generated.tolist() as bigint[][])[0] ?? []).map(Number);
    expect(recorder.steps).toHaveLength(5);
    for (const [step, cached] of recorder.steps.entries()) {
      const full = await fullPassLogits(sequence.slice(0, prompt.length + step), pixelValues);
      expect(largestDifference(cached, full)).toBeLessThan(1e-4);
    }
  });

  it('keeps a left-padded row’s logits equal to its single logits on cached steps', async () => {
    const short = await modelInputs({ images: red, prompt: 'Hi?' });
    const long = await modelInputs({ images: blue, prompt: 'Tell me a long story about this picture, with every detail you can see.' });
    const generate = async (prompts: number[][], pixelValues: Tensor) => {
      const recorder = new LogitsRecorder();
      const length = Math.max(...prompts.map((prompt) => prompt.length));
      const ids = prompts.flatMap((prompt) => [...Array<number>(length - prompt.length).fill(parts.batch.padTokenId), ...prompt]);
      const mask = prompts.flatMap((prompt) => [...Array<number>(length - prompt.length).fill(0), ...prompt.map(() => 1)]);
      await parts.model.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [prompts.length, length]),
        attention_mask: new Tensor('int64', BigInt64Array.from(mask, BigInt), [prompts.length, length]),
        pixel_values: pixelValues,
        max_new_tokens: 4,
        do_sample: false,
        logits_processor: [recorder] as never,
      });
      return recorder.rows;
    };
    const alone = await generate([short.prompt], short.pixelValues);
    const pixels = new Tensor('float32', Float32Array.from([...(short.pixelValues.data as Float32Array), ...(long.pixelValues.data as Float32Array)]), [2, 3, 32, 32]);
    const batched = await generate([short.prompt, long.prompt], pixels);
    alone.forEach((step, index) => expect(largestDifference(batched[index]![0]!, step[0]!)).toBeLessThan(1e-4));
  });
});

describe('llava skill', () => {
  it('reports usage (prompt tokens with the image tokens, generated tokens) and serves generate requests with images through capabilities.generate', async () => {
    const { output, provenance } = await infer({ images: red, prompt: 'What is in the picture?' }, { maxNewTokens: 4, applyChatTemplate: false });
    expect(provenance.usage).toEqual({ inputTokens: provenance.timings.promptTokens, outputTokens: output.tokens.length });
    expect(provenance.usage!.inputTokens).toBeGreaterThan(16);
    const capability = llavaSkill.capabilities!.generate!;
    expect(capability).toMatchObject({ chat: true, completion: true, images: true });
    // A completion is the prompt as written: no chat template.
    const completion = capability.request({ prompt: 'What is in the picture?', images: [red], maxNewTokens: 4 });
    expect(completion.options).toEqual({ maxNewTokens: 4, applyChatTemplate: false });
    const mapped = await infer(completion.input, completion.options);
    expect(capability.result(mapped.output)).toEqual({ text: output.text, stopReason: output.stopReason });
    const chat = capability.request({ prompt: [{ role: 'user', content: '<image>What is it?' }], images: [red], maxNewTokens: 4 });
    expect(chat.options).toEqual({ maxNewTokens: 4 });
    const templated = await infer(chat.input, chat.options);
    expect(templated.provenance.usage).toEqual({ inputTokens: templated.provenance.timings.promptTokens, outputTokens: templated.output.tokens.length });
    expect(() => capability.request({ prompt: [{ role: 'user', content: 'hi' }] })).toThrow(/at least one image/);
  });

  it('runs its example (what accel doctor --smoke sends) on the tiny default model', async () => {
    const { output } = await infer(llavaSkill.example.input, llavaSkill.example.options);
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(output.tokens.length).toBeLessThanOrEqual(8);
  });

  it('answers an image and a prompt with text, and records the timings and files in the provenance', async () => {
    const { output, provenance } = await infer({ images: red, prompt: 'What is in the picture?' }, { maxNewTokens: 8 });
    expect(typeof output.text).toBe('string');
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(output.tokens.length).toBeLessThanOrEqual(8);
    expect(['eos', 'length']).toContain(output.stopReason);
    expect(provenance.timings.tokensGenerated).toBe(output.tokens.length);
    expect(provenance.timings.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(provenance.timings.tokensPerSecond).toBeGreaterThanOrEqual(0);
    expect(provenance.timings.promptTokens).toBeGreaterThan(16);
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx', 'onnx/decoder_model_merged.onnx', 'processor_config.json']));
  });

  it('counts (S/patch)² image tokens per image, several images per prompt', async () => {
    const one = await infer({ images: red, prompt: 'Compare them.' }, { maxNewTokens: 1 });
    const two = await infer({ images: [red, blue], prompt: 'Compare them.' }, { maxNewTokens: 1 });
    expect(two.provenance.timings.promptTokens! - one.provenance.timings.promptTokens!).toBe(16 + 1);
  });

  it('streams pieces that add up to the final text', async () => {
    const stream = accel.stream(llavaSkill, { images: blue, prompt: 'Tell me a story about it.' }, { maxNewTokens: 12 });
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    const { output, provenance } = (await stream.result) as InferResult<LlavaOutput>;
    expect(pieces.join('')).toBe(output.text);
    expect(provenance.timings.tokensGenerated).toBe(output.tokens.length);
  });

  it('gives each request in a batch exactly the greedy tokens it gives alone', async () => {
    const inputs: LlavaInput[] = [
      { images: red, prompt: 'Hi?' },
      { images: [blue, gradientPixels(24, 12, 5)], prompt: 'Compare the first picture with the second one, in great detail please.' },
      { images: gradientPixels(30, 30, 3), prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What colour?' }] },
    ];
    const singles: InferResult<LlavaOutput>[] = [];
    for (const input of inputs) singles.push(await infer(input, { maxNewTokens: 10 }));
    const batched = await Promise.all(inputs.map((input) => infer(input, { maxNewTokens: 10 })));
    expect(Math.max(...batched.flatMap((result) => result.provenance.batchSizes))).toBeGreaterThan(1);
    batched.forEach((result, index) => expect(result.output).toEqual(singles[index]!.output));
  });

  it('samples reproducibly with a seed', async () => {
    const input: LlavaInput = { images: red, prompt: 'Describe it.' };
    const sample = (seed: number) => infer(input, { maxNewTokens: 10, temperature: 2, seed }).then((result) => result.output.tokens);
    expect(await sample(7)).toEqual(await sample(7));
    const others = await Promise.all([1, 2, 3, 4].map(sample));
    expect(new Set([await sample(7), ...others].map((tokens) => tokens.join(','))).size).toBeGreaterThan(1);
  });

  it('stops before a stop string', async () => {
    const input: LlavaInput = { images: blue, prompt: 'Tell me a story about it.' };
    const options: LlavaOptions = { maxNewTokens: 12, temperature: 2, seed: 3 };
    const { output } = await infer(input, options);
    const stop = printableAfterStart(output.text);
    const stopped = await infer(input, { ...options, stop: [stop] });
    expect(stopped.output.stopReason).toBe('stop-string');
    expect(stopped.output.text).toBe(output.text.slice(0, output.text.indexOf(stop)));
  });

  it('stops an aborted stream at the next token and keeps serving, batch-mates included', async () => {
    const controller = new AbortController();
    const stream = accel.stream(llavaSkill, { images: blue, prompt: 'Tell me a story about it.' }, { maxNewTokens: 400, signal: controller.signal });
    const mate = infer({ images: red, prompt: 'What is in the picture?' }, { maxNewTokens: 6 });
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
    expect((await mate).output.tokens.length).toBeGreaterThan(0);
    const after = await infer({ images: red, prompt: 'And now?' }, { maxNewTokens: 4 });
    expect(after.output.tokens.length).toBeGreaterThan(0);
    expect(accel.status('llava')[0]?.state).toBe('ready');
  });

  it('fails only the request with a corrupt image, not its batch-mates', async () => {
    const [good, bad] = await Promise.allSettled([
      infer({ images: red, prompt: 'What is in the picture?' }, { maxNewTokens: 4 }),
      infer({ images: corruptImage, prompt: 'What is in the picture?' }, { maxNewTokens: 4 }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status === 'rejected' && InvalidInputError.isInstance(bad.reason) && /cannot decode/.test(bad.reason.reason)).toBe(true);
  });

  const pixels = gradientPixels(8, 8, 3);
  it.each([
    ['no image', { prompt: 'hi' }, undefined, /^invalid input: images: expected an image \(a path, bytes or raw pixels\) or a list of images, got undefined$/],
    ['an empty image list', { images: [], prompt: 'hi' }, undefined, /images: the images list is empty/],
    ['placeholders that do not match the images', { images: [pixels], prompt: '<image> or <image>?' }, undefined, /2 <image> placeholder\(s\) for 1 image/],
    ['maxNewTokens 0', { images: pixels, prompt: 'hi' }, { maxNewTokens: 0 }, /maxNewTokens/],
    ['topP 0', { images: pixels, prompt: 'hi' }, { topP: 0 }, /topP/],
  ])('refuses %s before any work with InvalidInputError', (_name, input, options, reason) => {
    // As infer() does: the schemas first, then doPrepare for what they cannot check.
    const prepare = () =>
      llavaSkill.doPrepare(validateWithSchema(llavaSkill.schemas!.input, input, 'input') as LlavaInput, validateWithSchema(llavaSkill.schemas!.options, options ?? {}, 'options') as LlavaOptions);
    expect(prepare).toThrow(reason);
    expect(prepare).toThrowError(expect.objectContaining({ code: 'ACCEL_INVALID_INPUT' }) as Error);
  });

  it('refuses a prompt longer than the context and lowers maxNewTokens to what fits', async () => {
    const small = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaSkill] });
    small.addEndpoint({ skill: llavaSkill, model: directory, contextLength: 48 });
    try {
      await expect(small.infer(llavaSkill, { images: [red, blue, red], prompt: 'hi' })).rejects.toThrow(/the context holds 48/);
      const { output, provenance } = (await small.infer(llavaSkill, { images: red, prompt: 'hi' }, { maxNewTokens: 100 })) as InferResult<LlavaOutput>;
      const room = 48 - provenance.timings.promptTokens!;
      expect(output.tokens.length).toBeLessThanOrEqual(room);
      expect(provenance.notes.some((note) => note.kind === 'truncated' && note.message.includes(`to ${room}`))).toBe(true);
    } finally {
      await small.dispose();
    }
  });

  it('runs the int8 files with dtype q8 and sends a raw prompt without the chat template', async () => {
    const quantized = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaSkill] });
    quantized.addEndpoint({ skill: llavaSkill, model: directory, dtype: 'q8' });
    try {
      const templated = (await quantized.infer(llavaSkill, { images: red, prompt: 'hi' }, { maxNewTokens: 2 })) as InferResult<LlavaOutput>;
      const raw = (await quantized.infer(llavaSkill, { images: red, prompt: 'hi' }, { maxNewTokens: 2, applyChatTemplate: false })) as InferResult<LlavaOutput>;
      expect(templated.provenance.model.files).toContain('onnx/decoder_model_merged_quantized.onnx');
      expect(raw.provenance.timings.promptTokens).toBeLessThan(templated.provenance.timings.promptTokens!);
    } finally {
      await quantized.dispose();
    }
  });
});
