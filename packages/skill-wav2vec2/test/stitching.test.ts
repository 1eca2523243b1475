import type { InferenceSessionV1, SkillLoadContext, TensorLike } from '@accel/core';
import { forgeModel, wav2vec2Vocabulary } from '@accel/model-forge';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { argmaxFrames, collapseCtc, frameCount, groupWords, planChunks, wav2vec2Skill, type Wav2Vec2Item, type Wav2Vec2Value } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const geometry = { samplesPerFrame: 320, receptiveField: 400 };
const vocabularySize = wav2vec2Vocabulary.length;
const idOf = (token: string) => wav2vec2Vocabulary.indexOf(token);
const pad = idOf('<pad>');
const delimiter = idOf('|');

/** Distinct words made of vocabulary letters, so a duplicated or lost word changes the text. */
function distinctWords(count: number): string[] {
  const letters = 'ETAONIHSRDLUMWCFGYPBVKXJQZ';
  return Array.from({ length: count }, (_, index) => {
    let word = '';
    for (let value = index + 1; value > 0; value = Math.floor(value / letters.length)) word += letters[value % letters.length];
    return `${word}${letters[(index * 7) % letters.length]}`;
  });
}

/** A frame path a perfect CTC model would emit for `words`: 2–4 frames per letter, blanks between repeats, `|` between words. */
function framePath(words: readonly string[]): number[] {
  const path = [pad, pad];
  words.forEach((word, wordIndex) => {
    [...word].forEach((letter, letterIndex) => {
      if (path.at(-1) === idOf(letter)) path.push(pad);
      for (let frame = 0; frame < 2 + ((wordIndex + letterIndex) % 3); frame += 1) path.push(idOf(letter));
    });
    if (wordIndex < words.length - 1) path.push(delimiter, delimiter);
  });
  path.push(pad, pad);
  return path;
}

function oneHot(path: readonly number[]): Float32Array {
  const logits = new Float32Array(path.length * vocabularySize);
  path.forEach((id, frame) => (logits[frame * vocabularySize + id] = 10));
  return logits;
}

describe('planChunks', () => {
  it.each([
    [16_000 * 45, 20, 2.5],
    [16_000 * 20 + 320 * 7, 20, 2.5],
    [16_000 * 7 + 123, 2, 0.5],
    [16_000 * 3, 1, 0.24],
  ])('tiles every frame of %i samples exactly once (chunk %s s, stride %s s)', (samples, chunkSeconds, strideSeconds) => {
    const chunks = planChunks(samples, chunkSeconds * 16_000, strideSeconds * 16_000, geometry);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.keepFrom).toBe(0);
    expect(chunks.at(-1)!.keepTo).toBe(frameCount(samples, geometry));
    expect(chunks.at(-1)!.end).toBe(samples);
    chunks.forEach((chunk, index) => {
      expect(chunk.start % 320).toBe(0);
      if (index < chunks.length - 1) expect(chunk.end - chunk.start).toBe(chunkSeconds * 16_000);
      if (index > 0) expect(chunk.keepFrom).toBe(chunks[index - 1]!.keepTo);
      const localFrames = frameCount(chunk.end - chunk.start, geometry);
      expect(chunk.keepTo - chunk.start / 320).toBeLessThanOrEqual(localFrames);
      expect(chunk.keepTo).toBeGreaterThan(chunk.keepFrom);
    });
  });

  it('keeps short audio in one window', () => {
    expect(planChunks(16_000 * 20, 16_000 * 20, 16_000 * 2.5, geometry)).toEqual([{ start: 0, end: 320_000, keepFrom: 0, keepTo: 999 }]);
  });
});

describe('greedy CTC on crafted frame paths', () => {
  it('collapses repeats, drops blanks, keeps a blank-separated double letter, and times words by frame', () => {
    const path = [pad, idOf('H'), idOf('H'), idOf('E'), idOf('L'), pad, idOf('L'), idOf('O'), delimiter, delimiter, idOf('W'), pad];
    const tokens = collapseCtc(path, pad);
    expect(tokens.map((token) => wav2vec2Vocabulary[token.id]).join('')).toBe('HELLO|W');
    expect(tokens[0]).toEqual({ id: idOf('H'), firstFrame: 1, lastFrame: 2 });
    const words = groupWords(tokens, (id) => wav2vec2Vocabulary[id]!, delimiter);
    expect(words).toEqual([
      { text: 'HELLO', firstFrame: 1, lastFrame: 7 },
      { text: 'W', firstFrame: 10, lastFrame: 10 },
    ]);
  });

  it('stitches chunk logits whose context margins are garbage into the exact transcript, with no word twice', () => {
    const words = distinctWords(60);
    const truth = framePath(words);
    const samples = (truth.length + 1) * 320;
    expect(frameCount(samples, geometry)).toBe(truth.length);
    for (const [chunkSeconds, strideSeconds] of [[1, 0.2], [2, 0.5], [1.6, 0.3]] as const) {
      const chunks = planChunks(samples, chunkSeconds * 16_000, strideSeconds * 16_000, geometry);
      expect(chunks.length).toBeGreaterThan(3);
      const stitched: number[] = [];
      for (const chunk of chunks) {
        const offset = chunk.start / 320;
        const frames = frameCount(chunk.end - chunk.start, geometry);
        // What a model sees near a cut edge is unreliable: fill every frame outside the kept range with a wrong letter.
        const local = Array.from({ length: frames }, (_, frame) => {
          const global = offset + frame;
          return global >= chunk.keepFrom && global < chunk.keepTo ? truth[global]! : idOf('Q');
        });
        stitched.push(...argmaxFrames(oneHot(local), vocabularySize, chunk.keepFrom - offset, chunk.keepTo - offset));
      }
      const decoded = groupWords(collapseCtc(stitched, pad), (id) => wav2vec2Vocabulary[id]!, delimiter).map((word) => word.text);
      expect(decoded).toEqual(words);
    }
  });
});

describe('long audio through the loaded skill, with a stand-in model that reads letters from the signal', () => {
  let directory = '';
  beforeAll(async () => {
    ({ directory } = await forgeModel('Xenova/wav2vec2-base-960h', { root: modelRoot }));
  });

  /** Each 320-sample frame carries its letter id in the signs of samples 0–4, mirrored in 5–9 so every frame sums to 0 (normalisation keeps the signs). */
  function encode(path: readonly number[]): Float32Array {
    const samples = new Float32Array((path.length + 1) * 320);
    path.forEach((id, frame) => {
      for (let bit = 0; bit < 5; bit += 1) {
        const sign = (id >> bit) & 1 ? 1 : -1;
        samples[frame * 320 + bit] = 0.5 * sign;
        samples[frame * 320 + 5 + bit] = -0.5 * sign;
      }
    });
    return samples;
  }

  /** A session that decodes the letters back: a "model" whose frame f depends only on its own samples. */
  function letterReader(runs: number[][]): InferenceSessionV1 {
    return {
      inputNames: ['input_values'],
      outputNames: ['logits', 'last_hidden_state'],
      inputMetadata: [],
      outputMetadata: [],
      async run(feeds: Record<string, TensorLike>) {
        const input = feeds.input_values!;
        const [batch = 0, length = 0] = input.dims;
        runs.push([batch, length]);
        const frames = frameCount(length, geometry);
        const logits = new Float32Array(batch * frames * vocabularySize);
        const hidden = new Float32Array(batch * frames * 2).fill(1);
        const data = input.data as Float32Array;
        for (let row = 0; row < batch; row += 1) {
          for (let frame = 0; frame < frames; frame += 1) {
            let id = 0;
            for (let bit = 0; bit < 5; bit += 1) if (data[row * length + frame * 320 + bit]! > 0) id |= 1 << bit;
            logits[(row * frames + frame) * vocabularySize + id] = 10;
          }
        }
        return { logits: { type: 'float32', data: logits, dims: [batch, frames, vocabularySize] }, last_hidden_state: { type: 'float32', data: hidden, dims: [batch, frames, 2] } };
      },
      release: async () => undefined,
    };
  }

  async function load(runs: number[][]) {
    const context: SkillLoadContext = {
      model: { id: 'Xenova/wav2vec2-base-960h', directory, source: 'local' } as unknown as SkillLoadContext['model'],
      backend: 'cpu',
      device: 'cpu',
      dtype: 'fp32',
      contextLength: undefined,
      createSession: async () => letterReader(runs),
      recordFile: () => undefined,
      readJson: async <T>(file: string) => JSON.parse(await readFile(join(directory, file), 'utf8')) as T,
    };
    return wav2vec2Skill.doLoad(context);
  }

  const item = (samples: Float32Array, chunkLengthSeconds: number, strideLengthSeconds: number): Wav2Vec2Item => ({
    source: { samples, sampleRate: 16_000 },
    index: undefined,
    task: 'transcribe',
    timestamps: true,
    chunkLengthSeconds,
    strideLengthSeconds,
  });

  const controls = (count: number) => Array.from({ length: count }, () => ({ signal: new AbortController().signal, emit: () => undefined }));

  it('transcribes over 40 s in overlapping chunks exactly as in one pass: no duplicated or lost words at the seams', async () => {
    const words = distinctWords(200);
    const path = framePath(words);
    const samples = encode(path);
    expect(samples.length / 16_000).toBeGreaterThan(40);
    const runs: number[][] = [];
    const model = await load(runs);
    const outcomes = await model.run([item(samples, 20, 2.5), item(samples, 3.2, 0.64), item(samples, 1000, 2.5)], controls(3));
    const transcriptions = outcomes.map((outcome) => {
      expect(outcome.ok).toBe(true);
      return (outcome as { value: Extract<Wav2Vec2Value, { kind: 'transcription' }> }).value.transcription;
    });
    const chunkCount = (chunkSeconds: number, strideSeconds: number) => planChunks(samples.length, chunkSeconds * 16_000, strideSeconds * 16_000, { samplesPerFrame: 320, receptiveField: 400 }).length;
    expect(transcriptions.map((transcription) => transcription.chunks)).toEqual([chunkCount(20, 2.5), chunkCount(3.2, 0.64), 1]);
    expect(transcriptions[0]!.chunks).toBeGreaterThanOrEqual(3);
    expect(transcriptions[1]!.chunks).toBeGreaterThan(15);
    for (const transcription of transcriptions) {
      expect(transcription.text).toBe(words.join(' '));
      expect(transcription.words!.map((word) => word.text)).toEqual(words);
      transcription.words!.forEach((word, index) => {
        expect(word.end).toBeGreaterThan(word.start);
        if (index > 0) expect(word.start).toBeGreaterThan(transcription.words![index - 1]!.end);
      });
    }
    // Equal-length chunks of the 20 s plan ran stacked; nothing was ever padded.
    expect(runs.some(([batch]) => batch! > 1)).toBe(true);
    await model.dispose();
  });

  it('embeds long audio as the mean over every frame once', async () => {
    const samples = encode(framePath(distinctWords(100)));
    const model = await load([]);
    const [outcome] = await model.run([{ ...item(samples, 2, 0.5), task: 'embed', timestamps: false }], controls(1));
    expect(outcome).toMatchObject({ ok: true, value: { kind: 'embedding', source: 'last_hidden_state' } });
    const embedding = (outcome as { value: { embedding: Float32Array } }).value.embedding;
    expect(Array.from(embedding)).toEqual([1, 1]);
    await model.dispose();
  });
});
