import { readFileSync } from 'node:fs';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clapSkill, type ClapOutput } from '../src/index.js';
import { voiced, writeWav } from './helpers/audio-fixtures.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let clips: Uint8Array[];

beforeAll(async () => {
  const { directory } = await forgeModel('Xenova/clap-htsat-unfused', { root: modelRoot });
  clips = [readFileSync(writeWav('capability-low.wav', voiced(0.6, 48_000, 120), 48_000)), readFileSync(writeWav('capability-high.wav', voiced(0.6, 48_000, 330), 48_000))];
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [clapSkill] });
  accel.addEndpoint({ id: 'clap', skill: clapSkill, model: directory });
  await accel.init();
});
afterAll(() => accel.dispose());

async function run(request: { input: unknown; options?: unknown }): Promise<ClapOutput> {
  return (await accel.infer(clapSkill, request.input as never, request.options as never)).output;
}

describe('clap capabilities', () => {
  const { embed, classify } = clapSkill.capabilities!;

  it('embeds audio files (bytes) and texts through the standard request: the same vectors as the skill’s own input', async () => {
    expect(embed!.modalities).toEqual(['text', 'audio']);
    const audio = embed!.vectors(await run(embed!.request({ modality: 'audio', items: clips })));
    const direct = await run({ input: { audio: clips } });
    expect(direct.task).toBe('embed-audio');
    expect(audio.map((vector) => Array.from(vector))).toEqual(direct.task === 'embed-audio' ? direct.audioEmbeddings.map((vector) => Array.from(vector)) : []);
    const texts = embed!.vectors(await run(embed!.request({ modality: 'text', items: ['a dog barking', 'rain'] })));
    const directTexts = await run({ input: { text: ['a dog barking', 'rain'] } });
    expect(texts.map((vector) => Array.from(vector))).toEqual(directTexts.task === 'embed-text' ? directTexts.textEmbeddings.map((vector) => Array.from(vector)) : []);
    expect(() => embed!.request({ modality: 'image', items: clips })).toThrow(InvalidInputError);
  });

  it('classifies audio zero-shot against the labels, with the template as the skill’s option', async () => {
    expect(classify!.modalities).toEqual(['audio']);
    expect(classify!.zeroShot).toBe(true);
    const labels = ['speech', 'music', 'rain'];
    const template = 'the sound of {}';
    const scores = classify!.scores(await run(classify!.request({ modality: 'audio', items: clips }, labels, template)));
    const direct = await run({ input: { audio: clips, labels }, options: { template } });
    expect(direct.task).toBe('classify');
    expect(scores).toEqual(direct.task === 'classify' ? direct.classifications.map((classification) => classification.scores) : []);
    expect(scores[0]!.map((entry) => entry.label).sort()).toEqual([...labels].sort());
    expect(() => classify!.request({ modality: 'audio', items: clips }, undefined, undefined)).toThrow(/needs labels/);
  });
});
