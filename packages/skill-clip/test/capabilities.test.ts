import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipOutput, clipSkill } from '../src/index.js';
import { patternPng } from './images.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let images: Uint8Array[];

beforeAll(async () => {
  const { directory } = await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot });
  images = [await patternPng(0), await patternPng(2)];
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clipSkill] });
  accel.addEndpoint({ id: 'clip', skill: clipSkill, model: directory });
  await accel.init();
});
afterAll(() => accel.dispose());

async function run(request: { input: unknown; options?: unknown }): Promise<ClipOutput> {
  return (await accel.infer(clipSkill, request.input as never, request.options as never)).output;
}

const rows = (vectors: readonly Float32Array[]) => vectors.map((vector) => Array.from(vector));

describe('clip capabilities', () => {
  const { embed, classify } = clipSkill.capabilities!;

  it('embeds encoded images and texts through the standard request: the same vectors as the skill’s own input', async () => {
    expect(embed!.modalities).toEqual(['text', 'image']);
    const direct = await run({ input: { images } });
    expect(rows(embed!.vectors(await run(embed!.request({ modality: 'image', items: images }))))).toEqual(rows(direct.task === 'image-embedding' ? direct.embeddings : []));
    const directTexts = await run({ input: { texts: ['a cat', 'a dog'] } });
    expect(rows(embed!.vectors(await run(embed!.request({ modality: 'text', items: ['a cat', 'a dog'] }))))).toEqual(rows(directTexts.task === 'text-embedding' ? directTexts.embeddings : []));
    expect(() => embed!.request({ modality: 'audio', items: images })).toThrow(InvalidInputError);
  });

  it('classifies images zero-shot against the labels, with the template as the skill’s option', async () => {
    expect(classify!.modalities).toEqual(['image']);
    const labels = ['a cat', 'a dog', 'a car'];
    const scores = classify!.scores(await run(classify!.request({ modality: 'image', items: images }, labels, 'a drawing of {}')));
    const direct = await run({ input: { images, labels }, options: { template: 'a drawing of {}' } });
    expect(scores).toEqual(direct.task === 'zero-shot-image-classification' ? direct.classifications : []);
    expect(scores).toHaveLength(2);
    expect(() => classify!.request({ modality: 'image', items: images }, [], undefined)).toThrow(/needs labels/);
    expect(() => embed!.vectors(direct)).toThrow(/expected an embedding output/);
  });
});
