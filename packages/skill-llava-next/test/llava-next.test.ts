import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corruptImage, createTestLoadContext, gradientPixels, splitImagePng } from '@accel/testkit';
import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, Accel, InvalidInputError, InvalidModelError, validateWithSchema, type InferResult } from '@accel/core';
import { buildLlavaVisionGraph, createModel, forgeModel, onnxContent, writeFileAtomically } from '@accel/model-forge';
import { LogitsProcessor, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyResolutionLayout, llavaNextSkill, type LlavaNextInput, type LlavaNextOptions, type LlavaNextOutput } from '../src/index.js';
import { openLlavaNext, type LlavaNextParts } from '../src/llava-next-model.js';
import { encodeImagePrompt, prepareVisionLanguageItem } from '@accel/transformers-kit';

const cpuLoadContext = (directory: string) => createTestLoadContext(directory, createCpuBackend({ threads: 1 }));

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let parts: LlavaNextParts;
let accel: Accel;
let wide: Uint8Array;
let tall: Uint8Array;

beforeAll(async () => {
  directory = (await forgeModel('llava-hf/llava-onevision-qwen2-0.5b-ov-hf', { root: modelRoot })).directory;
  parts = await openLlavaNext(cpuLoadContext(directory));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaNextSkill] });
  accel.addEndpoint({ skill: llavaNextSkill, model: directory, id: 'llava-next' });
  wide = await splitImagePng(200, 40, [255, 0, 0], [0, 0, 255]);
  tall = await splitImagePng(32, 160, [0, 255, 0], [255, 255, 0]);
});
afterAll(async () => {
  await parts.release();
  await accel.dispose();
});

const infer = (input: LlavaNextInput, options?: LlavaNextOptions) => accel.infer(llavaNextSkill, input, options) as Promise<InferResult<LlavaNextOutput>>;

async function modelInputs(input: LlavaNextInput) {
  const item = prepareVisionLanguageItem(input, undefined);
  const images = await parts.encodeImages(item);
  const prompt = encodeImagePrompt(parts.batch.tokenizer, item, parts.batch.imageTokens, images.featureCounts, 'test');
  const sizes = images.imageSizes.flatMap(([height, width]) => [BigInt(height), BigInt(width)]);
  return {
    prompt,
    images,
    pixelValues: new Tensor('float32', images.pixelValues, [images.count, 3, ...images.inputSize]),
    imageSizes: new Tensor('int64', BigInt64Array.from(sizes), [sizes.length / 2, 2]),
  };
}

async function fullPassLogits(prompt: readonly number[], pixelValues: Tensor, imageSizes: Tensor): Promise<Float32Array> {
  const inputIds = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
  const attentionMask = new Tensor('int64', BigInt64Array.from(prompt, () => 1n), [1, prompt.length]);
  const { logits } = (await parts.model({ input_ids: inputIds, attention_mask: attentionMask, pixel_values: pixelValues, image_sizes: imageSizes })) as { logits: Tensor };
  const vocabulary = logits.dims[2]!;
  return (logits.data as Float32Array).slice(logits.data.length - vocabulary);
}

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < left.length; index += 1) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

class LogitsRecorder extends LogitsProcessor {
  readonly steps: Float32Array[] = [];
  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    this.steps.push(Float32Array.from((logits as unknown as { [row: number]: { data: Float32Array } })[0]!.data));
    return logits;
  }
}

describe('the LLaVA-Next model the skill builds', () => {
  it('reads the OneVision geometry and takes image_newline from the row the export appends to each view', () => {
    expect(parts.geometry).toMatchObject({ tileSize: 32, featuresPerSide: 4, maxTiles: 9, newlines: true });
    expect(parts.geometry.pinpoints).toHaveLength(36);
    expect(parts.newline).toBe('appended');
  });

  it('tiles each image and gives it the layout’s number of image tokens', async () => {
    const { prompt, images } = await modelInputs({ images: [wide, tall, gradientPixels(20, 20, 3)], prompt: 'Compare them.' });
    // 200×40 → 2×6 grid, 13 views, 16 + 4 × 25 = 116 tokens (tiling.test.ts).
    // 32 wide × 160 high is the pinpoint [160, 32] itself: 5×1 grid, 6 views, no resize or padding;
    // the 20×4 feature grid is kept whole: 16 + 20 × 5 = 116 tokens.
    // 20×20 → 1×1 grid, 2 views, 36 tokens.
    expect(images.count).toBe(13 + 6 + 2);
    expect(images.featureCounts).toEqual([116, 116, 36]);
    expect(images.featureCounts).toEqual([[40, 200], [160, 32], [20, 20]].map(([height, width]) => anyResolutionLayout([height!, width!], parts.geometry).features));
    expect(prompt.filter((token) => token === parts.batch.imageTokens.id)).toHaveLength(116 + 116 + 36);
  });

  it('packs the base view, the unpadded grid and the appended image_newline after every row', async () => {
    const { images, pixelValues, imageSizes } = await modelInputs({ images: gradientPixels(20, 20, 3), prompt: 'hi' });
    const encoded = (await (parts.model as unknown as { encode_image: (inputs: object) => Promise<Tensor> }).encode_image({ pixel_values: pixelValues, image_sizes: imageSizes })) as Tensor;
    const width = encoded.dims[1]!;
    expect(encoded.dims).toEqual([36, width]);
    const session = (parts.model as unknown as { sessions: Record<string, { run: (feeds: object) => Promise<Record<string, Tensor>> }> }).sessions;
    const raw = (await session.vision_encoder!.run({ pixel_values: pixelValues })).image_features!;
    expect(raw.dims).toEqual([images.count, 17, width]);
    const rawData = raw.data as Float32Array;
    const packed = encoded.data as Float32Array;
    const row = (data: Float32Array, index: number) => Array.from(data.subarray(index * width, (index + 1) * width));
    // Base view: its 16 features, without its appended newline.
    for (let feature = 0; feature < 16; feature += 1) expect(row(packed, feature)).toEqual(row(rawData, feature));
    // 1×1 grid: view 1's 4×4 features, each row followed by view 0's appended row (image_newline).
    for (let gridRow = 0; gridRow < 4; gridRow += 1) {
      for (let column = 0; column < 4; column += 1) expect(row(packed, 16 + gridRow * 5 + column)).toEqual(row(rawData, 17 + gridRow * 4 + column));
      expect(row(packed, 16 + gridRow * 5 + 4)).toEqual(row(rawData, 16));
    }
  });

  it('gives different logits for different images with the same prompt, and the same logits for the same image', async () => {
    const first = await modelInputs({ images: wide, prompt: 'What is in the picture?' });
    const second = await modelInputs({ images: await splitImagePng(200, 40, [0, 0, 255], [255, 255, 0]), prompt: 'What is in the picture?' });
    expect(first.prompt).toEqual(second.prompt);
    const reference = await fullPassLogits(first.prompt, first.pixelValues, first.imageSizes);
    expect(largestDifference(reference, await fullPassLogits(second.prompt, second.pixelValues, second.imageSizes))).toBeGreaterThan(1e-3);
    expect(largestDifference(reference, await fullPassLogits(first.prompt, first.pixelValues, first.imageSizes))).toBe(0);
  });

  it('generates with the KV cache the logits of full forward passes over the growing sequence', async () => {
    const { prompt, pixelValues, imageSizes } = await modelInputs({ images: [tall, wide], prompt: 'Compare <image> with <image>.' });
    const recorder = new LogitsRecorder();
    const generated = (await parts.model.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]),
      attention_mask: new Tensor('int64', BigInt64Array.from(prompt, () => 1n), [1, prompt.length]),
      pixel_values: pixelValues,
      image_sizes: imageSizes,
      max_new_tokens: 5,
      do_sample: false,
      logits_processor: [recorder] as never,
    })) as Tensor;
    const sequence = ((generated.tolist() as bigint[][])[0] ?? []).map(Number);
    expect(recorder.steps).toHaveLength(5);
    for (const [step, cached] of recorder.steps.entries()) {
      expect(largestDifference(cached, await fullPassLogits(sequence.slice(0, prompt.length + step), pixelValues, imageSizes))).toBeLessThan(1e-4);
    }
  });
});

describe('llava-next skill', () => {
  it('reports usage (prompt tokens with the image tokens, generated tokens) and serves generate requests through capabilities.generate', async () => {
    const capability = llavaNextSkill.capabilities!.generate!;
    expect(capability).toMatchObject({ chat: true, completion: true, images: true });
    const request = capability.request({ prompt: [{ role: 'user', content: 'Compare <image> and <image>.' }], images: [wide, tall], maxNewTokens: 3 });
    const { output, provenance } = await infer(request.input, request.options);
    expect(provenance.usage).toEqual({ inputTokens: provenance.timings.promptTokens, outputTokens: output.tokens.length });
    expect(provenance.usage!.inputTokens).toBeGreaterThan(116 + 116);
  });

  it('runs its example (what accel doctor --smoke sends) on the tiny default model', async () => {
    const { output } = await infer(llavaNextSkill.example.input, llavaNextSkill.example.options);
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(output.tokens.length).toBeLessThanOrEqual(8);
  });

  it('answers several images and a prompt with text, with timings and files in the provenance', async () => {
    const { output, provenance } = await infer({ images: [wide, tall], prompt: 'Compare them.' }, { maxNewTokens: 8 });
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(output.tokens.length).toBeLessThanOrEqual(8);
    expect(provenance.timings.tokensGenerated).toBe(output.tokens.length);
    expect(provenance.timings.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(provenance.timings.promptTokens).toBeGreaterThan(116 + 116);
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx', 'onnx/decoder_model_merged.onnx', 'preprocessor_config.json']));
  });

  it('streams pieces that add up to the final text', async () => {
    const stream = accel.stream(llavaNextSkill, { images: tall, prompt: 'Tell me a story about it.' }, { maxNewTokens: 12 });
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    const { output } = (await stream.result) as InferResult<LlavaNextOutput>;
    expect(pieces.join('')).toBe(output.text);
  });

  it('gives each request in a batch exactly the greedy tokens it gives alone', async () => {
    const inputs: LlavaNextInput[] = [
      { images: wide, prompt: 'Hi?' },
      { images: [tall, gradientPixels(20, 20, 5)], prompt: 'Compare the first picture with the second one, in great detail please.' },
      { images: gradientPixels(64, 64, 3), prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What colour?' }] },
    ];
    const singles: InferResult<LlavaNextOutput>[] = [];
    for (const input of inputs) singles.push(await infer(input, { maxNewTokens: 10 }));
    const batched = await Promise.all(inputs.map((input) => infer(input, { maxNewTokens: 10 })));
    expect(Math.max(...batched.flatMap((result) => result.provenance.batchSizes))).toBeGreaterThan(1);
    batched.forEach((result, index) => expect(result.output).toEqual(singles[index]!.output));
  });

  it('samples reproducibly with a seed and stops before a stop string', async () => {
    const input: LlavaNextInput = { images: wide, prompt: 'Describe it.' };
    const sample = (seed: number) => infer(input, { maxNewTokens: 10, temperature: 2, seed }).then((result) => result.output);
    const first = await sample(3);
    expect(await sample(3)).toEqual(first);
    const stop = [...first.text].slice(1).find((character) => /^[!-~]$/.test(character));
    expect(stop, `no printable character in ${JSON.stringify(first.text)}`).toBeDefined();
    const stopped = await infer(input, { maxNewTokens: 10, temperature: 2, seed: 3, stop: [stop!] });
    expect(stopped.output.stopReason).toBe('stop-string');
    expect(stopped.output.text).toBe(first.text.slice(0, first.text.indexOf(stop!)));
  });

  it('stops an aborted stream at the next token and keeps serving', async () => {
    const controller = new AbortController();
    const stream = accel.stream(llavaNextSkill, { images: tall, prompt: 'Tell me a story about it.' }, { maxNewTokens: 400, signal: controller.signal });
    const consumed = (async () => {
      for await (const _piece of stream) controller.abort();
    })();
    await expect(consumed).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    const after = await infer({ images: wide, prompt: 'And now?' }, { maxNewTokens: 4 });
    expect(after.output.tokens.length).toBeGreaterThan(0);
  });

  it('fails only the request with a corrupt image, and refuses bad requests before any work', async () => {
    const [good, bad] = await Promise.allSettled([
      infer({ images: wide, prompt: 'What is in the picture?' }, { maxNewTokens: 4 }),
      infer({ images: [wide, corruptImage], prompt: 'Compare them.' }, { maxNewTokens: 4 }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status === 'rejected' && InvalidInputError.isInstance(bad.reason)).toBe(true);
    // As infer() does: the schemas first, then doPrepare for what they cannot check.
    const prepare = (input: unknown, options: unknown) => () =>
      llavaNextSkill.doPrepare(validateWithSchema(llavaNextSkill.schemas!.input, input, 'input') as LlavaNextInput, validateWithSchema(llavaNextSkill.schemas!.options, options, 'options') as LlavaNextOptions);
    expect(prepare({ prompt: 'hi' }, {})).toThrow(/images: expected an image \(a path, bytes or raw pixels\) or a list of images, got undefined/);
    expect(prepare({ images: gradientPixels(4, 4, 1), prompt: 'hi' }, { temperature: -2 })).toThrow(/options\.temperature: temperature must be ≥ 0/);
    expect(prepare({ images: gradientPixels(4, 4, 1), prompt: '<image> <image>' }, {})).toThrowError(expect.objectContaining({ code: 'ACCEL_INVALID_INPUT' }) as Error);
  });

  it('refuses images whose tokens overflow the context', async () => {
    const small = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaNextSkill] });
    small.addEndpoint({ skill: llavaNextSkill, model: directory, contextLength: 100 });
    try {
      await expect(small.infer(llavaNextSkill, { images: [wide, tall], prompt: 'hi' })).rejects.toThrow(/\(232 of them for 2 image\(s\)\); the context holds 100/);
    } finally {
      await small.dispose();
    }
  });
});

describe('exports without the appended image_newline', () => {
  const tinyVision = { style: 'siglip', imageSize: 32, patchSize: 8, hidden: 16, heads: 2, intermediate: 32, layers: 1, layerNormEpsilon: 1e-6, textHidden: 32, keepClassToken: false } as const;
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'accel-llava-next-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** The forged default model with its vision encoder replaced. */
  async function withVisionEncoder(name: string, dimensions: Parameters<typeof buildLlavaVisionGraph>[1]): Promise<string> {
    const target = join(folder, name);
    await cp(directory, target, { recursive: true });
    await writeFileAtomically(join(target, 'onnx/vision_encoder.onnx'), onnxContent(createModel(buildLlavaVisionGraph('variant', dimensions))));
    return target;
  }

  it('with g² features per view and no newline: packs no newline tokens (one token less per grid row) and still generates', async () => {
    const variant = await withVisionEncoder('no-newline', { ...tinyVision, imageNewline: false });
    const noNewline = await openLlavaNext(cpuLoadContext(variant));
    try {
      expect(noNewline.newline).toBe('absent');
      const item = prepareVisionLanguageItem({ images: gradientPixels(128, 128, 2), prompt: 'hi' }, undefined);
      // 128×128: 16 base features + the 12×12 downscaled grid, without the 12 newlines (172 with them).
      expect((await noNewline.encodeImages(item)).featureCounts).toEqual([16 + 12 * 12]);
    } finally {
      await noNewline.release();
    }
    const served = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [llavaNextSkill] });
    served.addEndpoint({ skill: llavaNextSkill, model: variant });
    try {
      const { output, provenance } = (await served.infer(llavaNextSkill, { images: gradientPixels(128, 128, 2), prompt: 'hi' }, { maxNewTokens: 3 })) as InferResult<LlavaNextOutput>;
      expect(output.tokens.length).toBeGreaterThan(0);
      expect(provenance.timings.promptTokens).toBeGreaterThan(16 + 12 * 12);
    } finally {
      await served.dispose();
    }
  });

  it('refuses a vision encoder whose rows per view fit neither layout', async () => {
    const variant = await withVisionEncoder('wrong-rows', { ...tinyVision, patchSize: 16, imageNewline: false });
    const opened = openLlavaNext(cpuLoadContext(variant));
    await expect(opened).rejects.toSatisfy(InvalidModelError.isInstance);
    await expect(opened).rejects.toThrow(/image_features has 4 rows per view; the layout needs ⌊size \/ patch_size⌋² = 16, or 17 with image_newline appended/);
  });
});
