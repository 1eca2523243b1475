import { readAudio } from '@accel/core/media';
import type { SkillCases } from '@accel/testkit';
import { afterAll, expect } from 'vitest';
import type { whisperSkill, WhisperInput, WhisperOutput } from '../src/index.js';
import { createSpeechFixtures } from './helpers/speech.js';

const fixtures = await createSpeechFixtures();
afterAll(() => fixtures.remove());
const other = await readAudio(fixtures.otherWav, { sampleRate: 16000 });

function expectTranscripts(output: WhisperOutput, input: WhisperInput): void {
  const count = Array.isArray(input) ? input.length : 1;
  expect(output.transcripts).toHaveLength(count);
  for (const transcript of output.transcripts) {
    expect(typeof transcript.text).toBe('string');
    expect(transcript.duration).toBeGreaterThan(1);
    expect(transcript.windows).toBe(1);
    expect(transcript).toMatchObject({ language: 'en', task: 'transcribe' });
    expect(transcript.chunks!.length).toBeGreaterThan(0);
    let previousEnd = 0;
    for (const chunk of transcript.chunks!) {
      expect(chunk.start).toBeGreaterThanOrEqual(previousEnd);
      expect(chunk.end).toBeGreaterThanOrEqual(chunk.start);
      previousEnd = chunk.end;
    }
    expect(previousEnd).toBeLessThanOrEqual(transcript.duration + 0.01);
  }
}

/** whisper's conformance data, on its default model (Xenova/whisper-tiny). */
export const cases: SkillCases<typeof whisperSkill> = {
  // Every request decodes at least one 30-second window (log-mel, then the encoder over 1,500
  // positions) and a generation loop, and wasm's model load is slow: the memory check runs fewer
  // cycles and requests than the kit's sensitive counts on every backend, and the matrix cell says so.
  memory: { cycles: 20, requests: 256, reason: 'each request encodes a 30-second window and runs a generation loop; the full counts do not fit the CI budget' },
  inputs: [fixtures.shortWav, { samples: other.samples, sampleRate: other.sampleRate }, [fixtures.shortMp3, fixtures.otherWav]],
  options: { returnTimestamps: true, maxNewTokens: 6 },
  invalidInputs: [
    { name: 'null', input: null },
    { name: 'number', input: 42 },
    { name: 'empty path', input: '' },
    { name: 'empty array', input: [] },
    { name: 'empty buffer', input: new Uint8Array(0) },
    { name: 'array with a non-audio entry', input: [fixtures.shortWav, 7] },
    { name: 'samples that are not a Float32Array', input: { samples: [0, 1], sampleRate: 16000 } },
    { name: 'no sample rate', input: { samples: new Float32Array(16), sampleRate: 0 } },
    { name: 'missing file', input: `${fixtures.folder}/no-such-file.wav` },
    { name: 'zero-byte file', input: fixtures.emptyWav },
    { name: 'text file named .wav', input: fixtures.textWav },
    { name: 'truncated mp3', input: fixtures.truncatedMp3 },
    { name: 'unknown language', input: fixtures.shortWav, options: { language: 'klingon' } },
    { name: 'unknown task', input: fixtures.shortWav, options: { task: 'summarize' } },
    { name: 'non-boolean returnTimestamps', input: fixtures.shortWav, options: { returnTimestamps: 'yes' } },
    { name: 'stop strings', input: fixtures.shortWav, options: { stop: ['.'] } },
    { name: 'zero maxNewTokens', input: fixtures.shortWav, options: { maxNewTokens: 0 } },
    { name: 'negative temperature', input: fixtures.shortWav, options: { temperature: -1 } },
  ],
  expectOutput: expectTranscripts,
};
