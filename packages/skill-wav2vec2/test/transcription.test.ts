import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError, UnsupportedError, type TranscribeRequest } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTruncation, wav2vec2Capabilities, wav2vec2Skill, type Wav2Vec2Output } from '../src/index.js';
import { brokenFiles, speak, speechToolsMissing, voiced, writeWav } from './helpers/audio-fixtures.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const skipSpeech = speechToolsMissing === undefined ? '' : ` (skipped: ${speechToolsMissing})`;
let accel: Accel;

const paragraph = [
  'The boat sailed slowly across the quiet harbour while the gulls circled overhead.',
  'Nobody on the pier could remember a morning so calm, so bright, or so still.',
  'Children ran along the sea wall, shouting names at the fishermen below.',
  'An old man mended a net in the shade of the lighthouse and hummed a song.',
  'By noon the wind had turned, the clouds had gathered, and the first drops fell.',
  'Everyone hurried home, and the harbour was empty again before the storm arrived.',
  'Rain hammered the roofs for hours, the streets turned into rivers, and the lamps flickered.',
  'In the morning the sky was washed clean, and the boats went out as if nothing had happened.',
  'The old man walked back to the lighthouse, sat down in the same shade, and finished his net.',
  'Later that week a letter arrived from the city, asking whether anyone still kept the light.',
].join(' ');

beforeAll(async () => {
  const { directory } = await forgeModel('Xenova/wav2vec2-base-960h', { root: modelRoot });
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [wav2vec2Skill] });
  // One copy (`replicas: 'auto'` would load two of this small forged model): the tests check batch-mates.
  accel.addEndpoint({ id: 'batching', skill: wav2vec2Skill, model: directory, batchWaitMs: 50, replicas: 1 });
  await accel.init();
});
afterAll(() => accel.dispose());

const transcriptions = (output: Wav2Vec2Output) => (output.task === 'transcribe' ? output.transcriptions : []);
const embeddings = (output: Wav2Vec2Output) => (output.task === 'embed' ? output.embeddings : []);

describe('wav2vec2 transcription', () => {
  it('gives identical transcripts and embeddings for identical inputs, different embeddings for different ones', async () => {
    const first = writeWav('first.wav', voiced(1.2, 16_000, 130), 16_000);
    const second = writeWav('second.wav', voiced(1.2, 16_000, 210), 16_000);
    const { output } = await accel.infer(wav2vec2Skill, [first, first, second]);
    const [a, b] = transcriptions(output);
    expect(a).toEqual(b);
    const embedded = embeddings((await accel.infer(wav2vec2Skill, [first, first, second], { task: 'embed' })).output);
    expect(embedded).toHaveLength(3);
    expect(Array.from(embedded[0]!)).toEqual(Array.from(embedded[1]!));
    expect(Array.from(embedded[0]!)).not.toEqual(Array.from(embedded[2]!));
    const alone = embeddings((await accel.infer(wav2vec2Skill, second, { task: 'embed' })).output)[0]!;
    alone.forEach((value, index) => expect(Math.abs(value - embedded[2]![index]!)).toBeLessThan(1e-5));
  });

  it('runs the int8 model (dtype q8) close to fp32', async () => {
    const { directory } = await forgeModel('Xenova/wav2vec2-base-960h', { root: modelRoot });
    accel.addEndpoint({ id: 'q8', skill: wav2vec2Skill, model: directory, dtype: 'q8' });
    const clip = writeWav('q8.wav', voiced(1, 16_000, 170), 16_000);
    const [full] = embeddings((await accel.infer(wav2vec2Skill, clip, { task: 'embed', endpoint: 'batching' })).output);
    const { output, provenance } = await accel.infer(wav2vec2Skill, clip, { task: 'embed', endpoint: 'q8' });
    expect(provenance.model.files).toContain('onnx/model_quantized.onnx');
    const [quantized] = embeddings(output);
    const cosine = full!.reduce((sum, value, index) => sum + value * quantized![index]!, 0) / (Math.hypot(...full!) * Math.hypot(...quantized!));
    expect(cosine).toBeGreaterThan(0.98);
    await accel.removeEndpoint('q8');
  });

  it('embeds as the mean of last_hidden_state (32 dimensions for the tiny model) and names it', async () => {
    const { output } = await accel.infer(wav2vec2Skill, { samples: voiced(0.8, 8_000), sampleRate: 8_000 }, { task: 'embed' });
    expect(output).toMatchObject({ task: 'embed', dimensions: 32, source: 'last_hidden_state' });
  });

  it.skipIf(skipSpeech !== '')(`transcribes espeak-ng speech from wav, flac and mp3 with word timestamps${skipSpeech}`, async () => {
    const files = ['wav', 'flac', 'mp3'].map((extension) => speak('speech recognition with a forged model', `speech.${extension}`));
    const { output, provenance } = await accel.infer(wav2vec2Skill, files, { timestamps: true });
    for (const transcription of transcriptions(output)) {
      expect(transcription.duration).toBeGreaterThan(1);
      expect(transcription.chunks).toBe(1);
      expect(transcription.words!.map((word) => word.text).join(' ')).toBe(transcription.text);
      for (const word of transcription.words!) expect(word.end).toBeLessThanOrEqual(transcription.duration);
    }
    expect(provenance).toMatchObject({ backend: 'cpu', device: 'cpu', dtype: 'fp32' });
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/model.onnx', 'tokenizer.json', 'preprocessor_config.json']));
    expect(provenance.timings.realtimeFactor).toBeGreaterThan(0);
  });

  it.skipIf(skipSpeech !== '')(`runs 45 s of speech in overlapping 20 s chunks: ordered, non-overlapping words, one note${skipSpeech}`, async () => {
    const long = speak(paragraph, 'long.wav');
    const { output, provenance } = await accel.infer(wav2vec2Skill, long, { timestamps: true });
    const [transcription] = transcriptions(output);
    expect(transcription!.duration).toBeGreaterThan(35);
    expect(transcription!.chunks).toBeGreaterThanOrEqual(3);
    expect(provenance.notes).toEqual([{ kind: 'info', item: 0, message: expect.stringMatching(/ran in \d+ chunks of 20 s with 2.5 s of context/) }]);
    const words = transcription!.words!;
    words.forEach((word, index) => {
      expect(word.end).toBeGreaterThan(word.start);
      if (index > 0) expect(word.start).toBeGreaterThanOrEqual(words[index - 1]!.end);
    });
    expect(words.map((word) => word.text).join(' ')).toBe(transcription!.text);
    // The same clip in smaller chunks still covers the whole clip once.
    const smaller = transcriptions((await accel.infer(wav2vec2Skill, long, { chunkLengthSeconds: 6, strideLengthSeconds: 1 })).output)[0]!;
    expect(smaller.chunks).toBeGreaterThan(transcription!.chunks);
  });
});

describe('bad audio files', () => {
  const speechMp3 = speechToolsMissing === undefined ? speak('a short sentence to cut in half', 'cut-source.mp3') : undefined;
  const broken = Object.entries(brokenFiles(speechMp3));

  it.each(broken)('refuses %s with a one-line InvalidInputError naming it, without failing its batch-mates', async (_name, file) => {
    const good = writeWav('good.wav', voiced(1, 16_000), 16_000);
    const [bad, fine] = await Promise.allSettled([accel.infer(wav2vec2Skill, [good, file]), accel.infer(wav2vec2Skill, good)]);
    expect(bad.status).toBe('rejected');
    const error = (bad as PromiseRejectedResult).reason as InvalidInputError;
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error.index).toBe(1);
    expect(error.message).toContain(file);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(fine.status).toBe('fulfilled');
    if (fine.status === 'fulfilled') expect(fine.value.provenance.batchSizes[0]).toBe(3);
  });

  it.skipIf(skipSpeech !== '')(`tells a cut mp3 or wav from a whole one${skipSpeech}`, () => {
    const mp3 = readFileSync(speechMp3!);
    expect(findTruncation(mp3)).toBeUndefined();
    for (const fraction of [0.3, 0.5, 0.9]) expect(findTruncation(mp3.subarray(0, Math.floor(mp3.length * fraction) + 1))).toMatch(/last MPEG frame needs/);
    const wav = readFileSync(writeWav('whole-check.wav', voiced(0.5, 16_000), 16_000));
    expect(findTruncation(wav)).toBeUndefined();
    expect(findTruncation(wav.subarray(0, 5_000))).toMatch(/data chunk declares 16000 bytes but only 4956/);
    expect(findTruncation(new TextEncoder().encode('not audio'))).toBeUndefined();
  });
});

describe('wav2vec2 capabilities: standard transcription and embedding requests', () => {
  const { transcribe, embed } = wav2vec2Capabilities;
  const clip = () => new Uint8Array(readFileSync(writeWav('standard.wav', voiced(1.5, 16_000, 150), 16_000)));

  it('transcribes as the skill does, with words when asked, and embeds audio as the embed task does', async () => {
    expect(wav2vec2Skill.capabilities).toBe(wav2vec2Capabilities);
    expect(transcribe).toMatchObject({ tasks: ['transcribe'], granularities: ['word'] });
    const audio = clip();
    const own = transcriptions((await accel.infer(wav2vec2Skill, audio, { timestamps: true })).output)[0]!;
    const request = transcribe!.request({ audio, task: 'transcribe', timestamps: ['word'], temperature: 0 });
    expect(request.options).toEqual({ timestamps: true });
    const transcript = transcribe!.transcript((await accel.infer(wav2vec2Skill, request.input, request.options)).output);
    expect(transcript).toEqual({ text: own.text, duration: own.duration, words: own.words!.map(({ text, start, end }) => ({ word: text, start, end })) });
    expect(transcript.words!.length).toBeGreaterThan(0);
    const plain = transcribe!.request({ audio, task: 'transcribe', timestamps: [] });
    expect(transcribe!.transcript((await accel.infer(wav2vec2Skill, plain.input, plain.options)).output)).toEqual({ text: own.text, duration: own.duration });

    expect(embed!.modalities).toEqual(['audio']);
    const other = new Uint8Array(readFileSync(writeWav('other.wav', voiced(1, 16_000, 220), 16_000)));
    const embedRequest = embed!.request({ modality: 'audio', items: [audio, other] });
    const vectors = embed!.vectors((await accel.infer(wav2vec2Skill, embedRequest.input, embedRequest.options)).output);
    const ownVectors = embeddings((await accel.infer(wav2vec2Skill, [audio, other], { task: 'embed' })).output);
    expect(vectors.map((vector) => Array.from(vector))).toEqual(ownVectors.map((vector) => Array.from(vector)));
    expect(() => embed!.request({ modality: 'text', items: ['a cat'] })).toThrow(InvalidInputError);
  });

  it('throws UnsupportedError naming what CTC decoding has no setting for', () => {
    const audio = new Uint8Array(4);
    const cases: Array<[Partial<TranscribeRequest>, string]> = [
      [{ task: 'translate' }, 'task'],
      [{ language: 'en' }, 'language'],
      [{ prompt: 'earlier words' }, 'prompt'],
      [{ temperature: 0.4 }, 'temperature'],
      [{ timestamps: ['segment'] }, 'timestamp_granularities'],
    ];
    for (const [request, feature] of cases) {
      let error: unknown;
      try {
        transcribe!.request({ audio, task: 'transcribe', timestamps: [], ...request });
      } catch (caught) {
        error = caught;
      }
      expect(UnsupportedError.isInstance(error)).toBe(true);
      expect((error as UnsupportedError).feature).toBe(feature);
    }
  });
});
