import { join } from 'node:path';
import type { SkillCases } from '@accel/testkit';
import { expect } from 'vitest';
import type { wav2vec2Skill, Wav2Vec2Input, Wav2Vec2Output } from '../src/index.js';
import { brokenFiles, fixtureFolder, speak, speechToolsMissing, voiced, writeWav } from './helpers/audio-fixtures.js';

const clip = { samples: voiced(1, 16_000), sampleRate: 16_000 };
const toneFile = writeWav('voiced-22k.wav', voiced(1.5, 22_050, 180), 22_050);
const speechMp3 = speechToolsMissing === undefined ? speak('the quick brown fox jumps over the lazy dog', 'fox.mp3', 22_050) : undefined;
const speechFlac = speechToolsMissing === undefined ? speak('hello there, how are you today', 'hello.flac') : toneFile;

function expectTranscriptions(output: Wav2Vec2Output, input: Wav2Vec2Input): void {
  const count = Array.isArray(input) ? input.length : 1;
  expect(output.task).toBe('transcribe');
  if (output.task !== 'transcribe') return;
  expect(output.transcriptions).toHaveLength(count);
  for (const transcription of output.transcriptions) {
    expect(transcription.text).toMatch(/^[A-Z' ]*$/);
    expect(transcription.duration).toBeGreaterThan(0.5);
    expect(transcription.chunks).toBe(1);
  }
}

/** wav2vec2's conformance data, on its default model (Xenova/wav2vec2-base-960h). */
export const cases: SkillCases<typeof wav2vec2Skill> = {
  // On cpu the memory check runs the kit's sensitive counts. Elsewhere (wasm) every request reads,
  // decodes and resamples an audio file and runs the model more slowly, and every cycle loads the
  // model in a worker, so it runs fewer, and the matrix cell says so.
  memory: (backend) =>
    backend === 'cpu' ? {} : { cycles: 20, requests: 192, reason: 'audio decoding and the wav2vec2 encoder are slower on wasm; the full counts do not fit the CI budget' },
  inputs: [clip, toneFile, [speechFlac, clip], ...(speechMp3 === undefined ? [] : [speechMp3])],
  invalidInputs: [
    { name: 'empty path', input: '' },
    { name: 'empty list', input: [] },
    { name: 'number', input: 42 },
    { name: 'null', input: null },
    { name: 'empty buffer', input: new Uint8Array(0) },
    { name: 'samples that are not a Float32Array', input: { samples: [0.1, 0.2], sampleRate: 16_000 } },
    { name: 'empty samples', input: { samples: new Float32Array(0), sampleRate: 16_000 } },
    { name: 'zero sample rate', input: { samples: new Float32Array(10), sampleRate: 0 } },
    { name: 'a list holding a number', input: [toneFile, 7] },
    { name: 'a missing file', input: join(fixtureFolder, 'missing.wav') },
    ...Object.entries(brokenFiles(speechMp3)).map(([name, input]) => ({ name, input })),
    { name: 'unknown task', input: toneFile, options: { task: 'translate' } },
    { name: 'non-boolean timestamps', input: toneFile, options: { timestamps: 'yes' } },
    { name: 'timestamps on embed', input: toneFile, options: { task: 'embed', timestamps: true } },
    { name: 'negative chunk length', input: toneFile, options: { chunkLengthSeconds: -1 } },
    { name: 'stride eating the chunk', input: toneFile, options: { chunkLengthSeconds: 4, strideLengthSeconds: 2 } },
  ],
  expectOutput: expectTranscriptions,
};
