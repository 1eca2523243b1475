import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError, UnsupportedError, type BackendV1, type InferenceSessionV1, type TranscribeRequest } from '@accel/core';
import { forgeModel, whisperFiles, writeFileAtomically } from '@accel/model-forge';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { whisperCapabilities, whisperSkill, type WhisperOptions, type WhisperTranscript } from '../src/index.js';
import { createSpeechFixtures, type SpeechFixtures } from './helpers/speech.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let fixtures: SpeechFixtures;
let multilingual: string;
let englishOnly: string;
let ids: { start: number; noTimestamps: number; translate: number; transcribe: number; language: Record<string, number> };
/** Rows of the first decoder call of each `generate`: the decoder prompts. */
const prompts: number[][] = [];
/** Decoder calls of every `generate` (one per token produced, the end-of-text token included). */
let decoderRuns = 0;
let accel: Accel;

/** cpu, with the decoder's prompt rows recorded (first call of each generation: more than one token per row). */
function recordingBackend(): BackendV1 {
  const cpu = createCpuBackend({ threads: 1 });
  return {
    specificationVersion: 'v1',
    name: cpu.name,
    packageName: cpu.packageName,
    probe: () => cpu.probe(),
    async doCreateSession(options) {
      const session = await cpu.doCreateSession(options);
      if (!options.file.includes('decoder_model_merged')) return session;
      const recording: InferenceSessionV1 = {
        ...session,
        run(feeds) {
          decoderRuns += 1;
          const inputIds = feeds.input_ids!;
          const [rows = 0, length = 0] = inputIds.dims;
          if (length > 1) {
            const values = Array.from(inputIds.data as BigInt64Array, Number);
            for (let row = 0; row < rows; row += 1) prompts.push(values.slice(row * length, (row + 1) * length));
          }
          return session.run(feeds);
        },
      };
      return recording;
    },
  };
}

beforeAll(async () => {
  fixtures = await createSpeechFixtures();
  multilingual = (await forgeModel('Xenova/whisper-tiny', { root: modelRoot })).directory;
  englishOnly = await mkdtemp(join(tmpdir(), 'accel-whisper-en-'));
  const dimensions = { modelSize: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardSize: 64, maxTargetPositions: 448 };
  for (const file of whisperFiles({ id: 'Xenova/whisper-tiny.en', dimensions, multilingual: false })) {
    await writeFileAtomically(join(englishOnly, file.path), file.content);
  }
  const generation = JSON.parse(await readFile(join(multilingual, 'generation_config.json'), 'utf8')) as {
    decoder_start_token_id: number;
    no_timestamps_token_id: number;
    task_to_id: { translate: number; transcribe: number };
    lang_to_id: Record<string, number>;
  };
  ids = {
    start: generation.decoder_start_token_id,
    noTimestamps: generation.no_timestamps_token_id,
    translate: generation.task_to_id.translate,
    transcribe: generation.task_to_id.transcribe,
    language: generation.lang_to_id,
  };
  accel = new Accel({ backends: [recordingBackend()], skills: [whisperSkill] });
  accel.addEndpoint({ id: 'multilingual', skill: whisperSkill, model: multilingual, isolation: 'inline' });
  accel.addEndpoint({ id: 'english', skill: whisperSkill, model: englishOnly, isolation: 'inline' });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
  await fixtures.remove();
  await rm(englishOnly, { recursive: true, force: true });
});

beforeEach(() => {
  prompts.length = 0;
  decoderRuns = 0;
});

const transcribe = (input: Parameters<typeof accel.infer<typeof whisperSkill>>[1], options: WhisperOptions & { endpoint?: string } = {}) =>
  accel.infer(whisperSkill, input, { endpoint: 'multilingual', maxNewTokens: 12, ...options });

function expectOrderedChunks(transcript: WhisperTranscript): void {
  expect(transcript.chunks!.length).toBeGreaterThan(0);
  let previousEnd = 0;
  for (const chunk of transcript.chunks!) {
    expect(chunk.start).toBeGreaterThanOrEqual(previousEnd);
    expect(chunk.end).toBeGreaterThanOrEqual(chunk.start);
    expect(chunk.text.length).toBeGreaterThan(0);
    previousEnd = chunk.end;
  }
  expect(previousEnd).toBeLessThanOrEqual(Math.round(transcript.duration * 100) / 100);
}

describe('whisper transcription', () => {
  it('transcribes a wav and an mp3 of the same speech, and reports the realtime factor', async () => {
    const { output, provenance } = await transcribe([fixtures.shortWav, fixtures.shortMp3]);
    const [wav, mp3] = output.transcripts;
    expect(wav!.text.length).toBeGreaterThan(0);
    expect(wav!.duration).toBeGreaterThan(2);
    expect(Math.abs(mp3!.duration - wav!.duration)).toBeLessThan(0.2);
    expect(wav).toMatchObject({ windows: 1, language: 'en', task: 'transcribe' });
    expect(wav!.chunks).toBeUndefined();
    const { realtimeFactor, inferenceMs } = provenance.timings;
    // processing seconds ÷ audio seconds, measured inside the batch
    expect(realtimeFactor).toBeGreaterThan(0);
    expect(realtimeFactor!).toBeLessThanOrEqual((inferenceMs / 1000 / ((wav!.duration + mp3!.duration) / 2)) * 1.01);
    expect(provenance.model.files).toEqual(expect.arrayContaining(['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx', 'preprocessor_config.json']));
  });

  it('puts the start, language, task and no-timestamps tokens in the decoder prompt', async () => {
    await transcribe(fixtures.shortWav);
    await transcribe(fixtures.shortWav, { language: 'French', task: 'translate' });
    await transcribe(fixtures.shortWav, { language: '<|de|>', returnTimestamps: true });
    expect(prompts).toEqual([
      [ids.start, ids.language['<|en|>']!, ids.transcribe, ids.noTimestamps],
      [ids.start, ids.language['<|fr|>']!, ids.translate, ids.noTimestamps],
      [ids.start, ids.language['<|de|>']!, ids.transcribe],
    ]);
    const { output } = await transcribe(fixtures.shortWav, { language: 'fr', task: 'translate' });
    expect(output.transcripts[0]).toMatchObject({ language: 'fr', task: 'translate' });
  });

  it('gives an English-only model no language or task, takes English and transcribe as what it does, and refuses others', async () => {
    const { output } = await transcribe(fixtures.shortWav, { endpoint: 'english' });
    const generation = JSON.parse(await readFile(join(englishOnly, 'generation_config.json'), 'utf8')) as { decoder_start_token_id: number; no_timestamps_token_id: number };
    expect(prompts).toEqual([[generation.decoder_start_token_id, generation.no_timestamps_token_id]]);
    expect(output.transcripts[0]!.language).toBeUndefined();
    const english = await transcribe(fixtures.shortWav, { endpoint: 'english', language: 'English', task: 'transcribe' });
    expect(english.output).toEqual(output);
    expect(prompts.at(-1)).toEqual([generation.decoder_start_token_id, generation.no_timestamps_token_id]);
    for (const [options, reason] of [
      [{ language: 'fr' }, /^options\.language: model .* is English-only: it transcribes English \(en\), not fr$/],
      [{ task: 'translate' as const }, /^options\.task: model .* is English-only: it cannot translate$/],
    ] as const) {
      const error = await transcribe(fixtures.shortWav, { endpoint: 'english', ...options }).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect((error as InvalidInputError).reason).toMatch(reason);
    }
    await expect(transcribe(fixtures.shortWav, { language: 'klingon' })).rejects.toThrow(/unknown language "klingon"/);
  });

  it('returns ordered, non-overlapping segments inside the audio', async () => {
    const { output } = await transcribe([fixtures.shortWav, fixtures.otherWav], { returnTimestamps: true, maxNewTokens: 40 });
    for (const transcript of output.transcripts) expectOrderedChunks(transcript);
  });

  it('transcribes 70 seconds in three overlapping 30-second windows decoded together, stitched in order', async () => {
    const { output } = await transcribe(fixtures.longWav, { returnTimestamps: true, maxNewTokens: 24 });
    const [transcript] = output.transcripts;
    expect(transcript!.duration).toBeCloseTo(70, 1);
    expect(transcript!.windows).toBe(3);
    expect(prompts).toHaveLength(3);
    expectOrderedChunks(transcript!);
    expect(transcript!.chunks!.at(-1)!.end).toBeGreaterThan(40);
    const plain = await transcribe(fixtures.longWav, { maxNewTokens: 24 });
    expect(plain.output.transcripts[0]!.text.length).toBeGreaterThan(0);
  });

  it('gives each input the same transcript in a batch as alone, whatever its batch-mates ask', async () => {
    const requests: Array<[string, WhisperOptions]> = [
      [fixtures.shortWav, { returnTimestamps: true }],
      [fixtures.otherWav, {}],
      [fixtures.shortMp3, { language: 'fr', task: 'translate' }],
      [fixtures.otherWav, { returnTimestamps: true, temperature: 0.9, seed: 5 }],
    ];
    const alone = [];
    for (const [input, options] of requests) alone.push((await transcribe(input, options)).output);
    const together = await Promise.all(requests.map(([input, options]) => transcribe(input, options)));
    expect(Math.max(...together.flatMap((result) => result.provenance.batchSizes))).toBeGreaterThan(1);
    expect(together.map((result) => result.output)).toEqual(alone);
  });

  it('samples reproducibly with a seed', async () => {
    const first = await transcribe(fixtures.shortWav, { temperature: 1.2, seed: 11 });
    const again = await transcribe(fixtures.shortWav, { temperature: 1.2, seed: 11 });
    const greedy = await transcribe(fixtures.shortWav);
    expect(again.output).toEqual(first.output);
    expect(first.output.transcripts[0]!.text).not.toBe(greedy.output.transcripts[0]!.text);
  });

  it('refuses a truncated mp3, a zero-byte file and a text file named .wav with one line naming the file, without failing batch-mates', async () => {
    const good = (await transcribe(fixtures.shortWav)).output;
    const bad = [
      [fixtures.truncatedMp3, /truncated\.mp3 is truncated: its last MPEG frame needs \d+ bytes but only \d+ are left/],
      [fixtures.emptyWav, /empty\.wav is empty/],
      [fixtures.textWav, /cannot decode .*notes\.wav as audio/],
    ] as const;
    const results = await Promise.allSettled([transcribe(fixtures.shortWav), ...bad.map(([file]) => transcribe(file)), transcribe(fixtures.shortWav)]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { output: good } });
    expect(results.at(-1)).toMatchObject({ status: 'fulfilled', value: { output: good } });
    bad.forEach(([file, message], index) => {
      const result = results[index + 1]!;
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as InvalidInputError;
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error.message).toContain(file);
      expect(error.message).toMatch(message);
      expect(error.toLine().split('\n')).toHaveLength(1);
    });
    const inList = await transcribe([fixtures.shortWav, fixtures.emptyWav]).catch((caught: unknown) => caught);
    expect(inList).toMatchObject({ code: 'ACCEL_INVALID_INPUT', index: 1 });
  });

  it('reports the tokens it generated as usage, summed over windows and items', async () => {
    const one = await transcribe(fixtures.shortWav, { maxNewTokens: 9 });
    const runs = decoderRuns;
    const { outputTokens, inputTokens } = one.provenance.usage!;
    expect(inputTokens).toBe(0);
    // One decoder call per token produced; the end-of-text token, when produced, is not counted.
    expect(outputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeLessThanOrEqual(9);
    expect([runs, runs - 1]).toContain(outputTokens);
    const long = await transcribe(fixtures.longWav, { maxNewTokens: 9 });
    expect(long.provenance.usage!.outputTokens).toBeGreaterThan(outputTokens);
    expect(long.provenance.usage!.outputTokens).toBeLessThanOrEqual(27);
    const both = await transcribe([fixtures.shortWav, fixtures.longWav], { maxNewTokens: 9 });
    expect(both.provenance.usage).toEqual({ inputTokens: 0, outputTokens: outputTokens + long.provenance.usage!.outputTokens });
  });

  it('conditions the decoder on a prompt: <|startofprev|> and the text before the start tokens, counted as input tokens', async () => {
    const generation = JSON.parse(await readFile(join(multilingual, 'generation_config.json'), 'utf8')) as { prev_sot_token_id: number };
    const start = [ids.start, ids.language['<|en|>']!, ids.transcribe, ids.noTimestamps];
    const prompted = await transcribe(fixtures.shortWav, { prompt: 'Kubernetes, Dvořák and Nguyen.' });
    const again = await transcribe(fixtures.shortWav, { prompt: '  Kubernetes, Dvořák and Nguyen.  ' });
    const other = await transcribe(fixtures.shortWav, { prompt: 'something else entirely' });
    const [first, second, third] = prompts;
    expect(first![0]).toBe(generation.prev_sot_token_id);
    expect(first!.slice(-start.length)).toEqual(start);
    const textTokens = first!.length - 1 - start.length;
    expect(textTokens).toBeGreaterThan(3);
    // The text is trimmed (and given a leading space), as Whisper's get_prompt_ids does.
    expect(second).toEqual(first);
    expect(third!.slice(1, -start.length)).not.toEqual(first!.slice(1, -start.length));
    expect(prompted.provenance.usage!.inputTokens).toBe(textTokens);
    expect(again.output).toEqual(prompted.output);
    expect(other.provenance.usage!.outputTokens).toBeGreaterThan(0);
    // The transcript is what follows the start tokens: no prompt text in it.
    expect(prompted.output.transcripts[0]!.text).not.toContain('Kubernetes');
    // A long prompt keeps its last max_target_positions ÷ 2 − 1 = 223 tokens, on every window.
    prompts.length = 0;
    const long = await transcribe(fixtures.longWav, { prompt: 'word '.repeat(400) });
    expect(prompts).toHaveLength(3);
    for (const row of prompts) expect(row).toHaveLength(1 + 223 + start.length);
    expect(long.provenance.usage!.inputTokens).toBe(3 * 223);
    await expect(transcribe(fixtures.shortWav, { prompt: 7 as never })).rejects.toThrow(/prompt must be a string/);
  });

  it('caps maxNewTokens at what the model can hold, with a note', async () => {
    const { provenance } = await transcribe(fixtures.shortWav, { maxNewTokens: 1000 });
    expect(provenance.notes).toEqual([expect.objectContaining({ kind: 'info', message: expect.stringMatching(/maxNewTokens 1000 capped to 444/) })]);
  });
});

describe('whisper capabilities: the standard transcription request', () => {
  const capability = whisperCapabilities.transcribe!;
  const standard = async (request: Partial<TranscribeRequest>, endpoint = 'multilingual') => {
    const audio = new Uint8Array(await readFile(fixtures.shortWav));
    const { input, options } = capability.request({ audio, task: 'transcribe', timestamps: [], ...request });
    const { output } = await accel.infer(whisperSkill, input, { ...options, endpoint, maxNewTokens: 12 });
    return { output, transcript: capability.transcript(output) };
  };

  it('is the same transcription as the skill’s own options, with segments when asked', async () => {
    expect(whisperSkill.capabilities).toBe(whisperCapabilities);
    expect(capability).toMatchObject({ tasks: ['transcribe', 'translate'], granularities: ['segment'] });
    const plain = await standard({});
    const own = await transcribe(fixtures.shortWav, {});
    expect(plain.output).toEqual(own.output);
    expect(plain.transcript).toEqual({ text: own.output.transcripts[0]!.text, duration: own.output.transcripts[0]!.duration, language: 'en' });
    const timed = await standard({ timestamps: ['segment'], language: 'de', temperature: 0 });
    const ownTimed = (await transcribe(fixtures.shortWav, { returnTimestamps: true, language: 'de', temperature: 0 })).output.transcripts[0]!;
    expect(timed.transcript).toEqual({ text: ownTimed.text, duration: ownTimed.duration, language: 'de', segments: ownTimed.chunks });
  });

  it('translates into English, and on an English-only model takes language en', async () => {
    const translated = await standard({ task: 'translate', language: 'fr' });
    expect(translated.output.transcripts[0]).toMatchObject({ language: 'fr', task: 'translate' });
    expect(translated.transcript.language).toBe('en');
    const english = await standard({ language: 'en' }, 'english');
    expect(english.transcript.language).toBe('en');
    expect(english.output.transcripts[0]!.language).toBeUndefined();
  });

  it('maps a prompt onto the prompt option, and throws UnsupportedError naming word timestamps', () => {
    const audio = new Uint8Array(4);
    expect(capability.request({ audio, task: 'transcribe', timestamps: [], prompt: 'earlier words' }).options).toEqual({ prompt: 'earlier words' });
    let error: unknown;
    try {
      capability.request({ audio, task: 'transcribe', timestamps: ['segment', 'word'] });
    } catch (caught) {
      error = caught;
    }
    expect(UnsupportedError.isInstance(error)).toBe(true);
    expect((error as UnsupportedError).feature).toBe('timestamp_granularities');
    expect((error as UnsupportedError).message).toBe('whisper gives segment timestamps only, not word timestamps');
  });
});
