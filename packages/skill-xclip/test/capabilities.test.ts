import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type XclipOutput, xclipSkill } from '../src/index.js';
import { patternFrames } from './frames.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let videos: Uint8Array[][];

beforeAll(async () => {
  const { directory } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot });
  const encode = (frame: ReturnType<typeof patternFrames>[number]) => sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).png().toBuffer();
  videos = await Promise.all([0, 1].map((seed) => Promise.all(patternFrames(seed, 8).map(encode))));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [xclipSkill] });
  accel.addEndpoint({ id: 'xclip', skill: xclipSkill, model: directory });
  await accel.init();
});
afterAll(() => accel.dispose());

async function run(request: { input: unknown; options?: unknown }): Promise<XclipOutput> {
  return (await accel.infer(xclipSkill, request.input as never, request.options as never)).output;
}

const rows = (vectors: readonly Float32Array[]) => vectors.map((vector) => Array.from(vector));

describe('xclip capabilities', () => {
  const { embed, classify } = xclipSkill.capabilities!;

  it('embeds videos (each its encoded frames) and texts through the standard request: the same vectors as the skill’s own input', async () => {
    expect(embed!.modalities).toEqual(['text', 'video']);
    const direct = await run({ input: { videos } });
    expect(rows(embed!.vectors(await run(embed!.request({ modality: 'video', items: videos }))))).toEqual(rows(direct.task === 'video-embedding' ? direct.embeddings : []));
    const directTexts = await run({ input: { texts: ['cooking', 'dancing'] } });
    expect(rows(embed!.vectors(await run(embed!.request({ modality: 'text', items: ['cooking', 'dancing'] }))))).toEqual(rows(directTexts.task === 'text-embedding' ? directTexts.embeddings : []));
    expect(() => embed!.request({ modality: 'image', items: videos[0]! })).toThrow(InvalidInputError);
  });

  it('classifies videos zero-shot against the labels, with the template as the skill’s option', async () => {
    expect(classify!.modalities).toEqual(['video']);
    const labels = ['cooking', 'dancing', 'swimming'];
    const scores = classify!.scores(await run(classify!.request({ modality: 'video', items: videos }, labels, 'a video of {}')));
    const direct = await run({ input: { videos, labels }, options: { template: 'a video of {}' } });
    expect(scores).toEqual(direct.task === 'zero-shot-video-classification' ? direct.classifications : []);
    expect(scores).toHaveLength(2);
  });
});
