import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, type InferResult } from '@accel/core';
import { forgeModel, whisperFiles, writeFileAtomically } from '@accel/model-forge';
import { wav2vec2Skill, type Wav2Vec2Options, type Wav2Vec2Transcription } from '@accel/skill-wav2vec2';
import { whisperSkill, type WhisperOptions, type WhisperOutput, type WhisperTranscript } from '@accel/skill-whisper';
import { createAudioFixtures } from '@accel/testkit';
import { Validator } from '@seriousme/openapi-schema-validator';
import OpenAI, { APIError, BadRequestError, NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger } from './helpers.js';

const { writeWav, voiced } = createAudioFixtures();

let accel: Accel;
let server: AccelServer;
let client: OpenAI;
let url: string;
/** A server on the same registry whose audio uploads may be 2,000 bytes at most. */
let smallServer: AccelServer;
let smallClient: OpenAI;
/** 1.5 seconds of a voiced signal, as a 16-bit PCM WAV file. */
let wav: Buffer;
/** In-process whisper results for the same audio, one per set of options the tests send over HTTP. */
const local: Record<'plain' | 'german' | 'timed' | 'french' | 'translated' | 'prompted', InferResult<WhisperOutput>> = {} as never;
const prompt = 'Kubernetes, Dvořák and Nguyen met in Reykjavík.';

/**
 * A random-weight multilingual Whisper from the forge (the Xenova/whisper-tiny family, smaller)
 * whose decoder holds 40 positions: random weights never say end-of-text, so every request
 * decodes to the model's limit, and 36 tokens keep this file fast where the preset's 444 would not.
 */
const whisperFolder = mkdtempSync(join(tmpdir(), 'accel-server-whisper-'));

beforeAll(async () => {
  const dimensions = { modelSize: 32, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardSize: 64, maxTargetPositions: 40 };
  for (const forged of whisperFiles({ id: 'Xenova/whisper-tiny', dimensions, quantized: false })) await writeFileAtomically(join(whisperFolder, forged.path), forged.content);
  const wav2vec2 = await forgeModel('Xenova/wav2vec2-base-960h', { root: modelRoot });
  wav = readFileSync(writeWav('voiced.wav', voiced(1.5, 16_000), 16_000));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })] });
  server = createServer({
    accel,
    endpoints: [
      // Requests that arrive together batch.
      { name: 'whisper', skill: whisperSkill, model: whisperFolder, isolation: 'inline', batchWaitMs: 20 },
      { name: 'wav2vec2', skill: wav2vec2Skill, model: wav2vec2.directory, isolation: 'inline' },
    ],
    port: 0,
    logger: quietLogger(),
  });
  url = (await server.listen()).url;
  await server.loaded;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
  const options: Record<keyof typeof local, WhisperOptions> = {
    plain: {},
    german: { returnTimestamps: true, language: 'de' },
    timed: { returnTimestamps: true },
    french: { task: 'translate', language: 'fr' },
    translated: { task: 'translate', returnTimestamps: true },
    prompted: { prompt },
  };
  const results = await Promise.all(Object.values(options).map((value) => accel.infer(whisperSkill, new Uint8Array(wav), { endpoint: 'whisper', ...value })));
  Object.keys(options).forEach((key, index) => (local[key as keyof typeof local] = results[index]!));
  smallServer = createServer({ accel, port: 0, limits: { audioBodyBytes: 2_000 }, logger: quietLogger() });
  smallClient = new OpenAI({ baseURL: `${(await smallServer.listen()).url}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(async () => {
  await smallServer?.close();
  await server?.close();
  await accel?.dispose();
  rmSync(whisperFolder, { recursive: true, force: true });
});

const file = async (bytes: Uint8Array = wav, name = 'a.wav') => toFile(bytes, name, { type: 'audio/wav' });

/** The transcript an in-process `accel.infer` gave for the same audio. */
const whisperLocal = (key: keyof typeof local): WhisperTranscript => local[key].output.transcripts[0]!;
const wav2vec2Local = async (options: Wav2Vec2Options = {}): Promise<Wav2Vec2Transcription> => {
  const { output } = await accel.infer(wav2vec2Skill, new Uint8Array(wav), { endpoint: 'wav2vec2', ...options });
  if (output.task !== 'transcribe') throw new Error('expected a transcription');
  return output.transcriptions[0]!;
};

/** The cues of an SRT or WebVTT file: times in seconds and text. */
function parseCues(body: string, format: 'srt' | 'vtt'): Array<{ start: number; end: number; text: string }> {
  const separator = format === 'srt' ? ',' : '\\.';
  const time = `(\\d{2}):(\\d{2}):(\\d{2})${separator}(\\d{3})`;
  const seconds = (parts: string[]) => Number(parts[0]) * 3600 + Number(parts[1]) * 60 + Number(parts[2]) + Number(parts[3]) / 1000;
  let rest = body;
  if (format === 'vtt') {
    expect(body.startsWith('WEBVTT\n\n')).toBe(true);
    rest = body.slice('WEBVTT\n\n'.length);
  }
  if (rest === '') return [];
  const blocks = rest.replace(/\n$/, '').split('\n\n');
  return blocks.map((block, index) => {
    const lines = block.split('\n');
    if (format === 'srt') expect(lines.shift()).toBe(String(index + 1));
    expect(lines).toHaveLength(2);
    const match = new RegExp(`^${time} --> ${time}$`).exec(lines[0]!);
    expect(match, lines[0]).not.toBeNull();
    return { start: seconds(match!.slice(1, 5)), end: seconds(match!.slice(5, 9)), text: lines[1]! };
  });
}

async function expectHttpError(promise: Promise<unknown>, status: number, code: string, param: string | null): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  const apiError = error as APIError;
  expect({ status: apiError.status, code: apiError.code, param: apiError.param }).toEqual({ status, code, param });
  return apiError;
}

describe('POST /v1/audio/transcriptions with whisper', () => {
  it('json: the in-process text, the audio duration as usage, provenance headers, and the generated tokens in /metrics', async () => {
    const plain = whisperLocal('plain');
    const before = await metricValue(`accel_generated_tokens_total{endpoint="whisper"}`);
    const { data, response } = await client.audio.transcriptions.create({ file: await file(), model: 'whisper' }).withResponse();
    expect(data).toEqual({ text: plain.text, usage: { type: 'duration', seconds: plain.duration } });
    expect(plain.text.length).toBeGreaterThan(0);
    expect(plain.duration).toBeCloseTo(1.5, 3);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-accel-endpoint')).toBe('whisper');
    expect(response.headers.get('x-accel-backend')).toBe('cpu');
    expect(Number(response.headers.get('x-accel-inference-ms'))).toBeGreaterThan(0);
    const { usage } = local.plain.provenance;
    expect(usage!.outputTokens).toBeGreaterThan(0);
    // The HTTP request's tokens were counted, as many as the same request in process generated.
    expect((await metricValue(`accel_generated_tokens_total{endpoint="whisper"}`)) - before).toBe(usage!.outputTokens);
  });

  it('text: the in-process text as text/plain', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: await file(), model: 'whisper', response_format: 'text' }).withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(data).toBe(whisperLocal('plain').text);
  });

  it('verbose_json: segments in OpenAI’s shape from the in-process segments, language and duration', async () => {
    const german = whisperLocal('german');
    expect(german.chunks!.length).toBeGreaterThan(0);
    // The bare key and the [] key both carry granularities.
    const form = new FormData();
    form.append('file', new Blob([wav], { type: 'audio/wav' }), 'a.wav');
    form.append('model', 'whisper');
    form.append('response_format', 'verbose_json');
    form.append('language', 'de');
    form.append('timestamp_granularities', 'segment');
    const [data, bare] = await Promise.all([
      client.audio.transcriptions.create({ file: await file(), model: 'whisper', response_format: 'verbose_json', language: 'de', timestamp_granularities: ['segment'] }),
      fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form }),
    ]);
    const local = german;
    expect(data).toMatchObject({ task: 'transcribe', language: 'de', duration: local.duration, text: local.text, usage: { type: 'duration', seconds: local.duration } });
    expect(data.words).toBeUndefined();
    expect(data.segments!.map(({ start, end, text }) => ({ start, end, text }))).toEqual(local.chunks);
    data.segments!.forEach((segment, index) => {
      expect(Object.keys(segment).sort()).toEqual(['avg_logprob', 'compression_ratio', 'end', 'id', 'no_speech_prob', 'seek', 'start', 'temperature', 'text', 'tokens']);
      expect(segment).toMatchObject({ id: index, seek: 0, tokens: [], temperature: 0, avg_logprob: 0, no_speech_prob: 0 });
      expect(segment.compression_ratio).toBeGreaterThan(0);
    });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual(data);
  });

  it('srt and vtt: one cue per in-process segment, as text/plain', async () => {
    const local = whisperLocal('timed');
    const formats = ['srt', 'vtt'] as const;
    const responses = await Promise.all(formats.map(async (format) => client.audio.transcriptions.create({ file: await file(), model: 'whisper', response_format: format }).withResponse()));
    for (const [index, format] of formats.entries()) {
      const { data, response } = responses[index]!;
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const cues = parseCues(data, format);
      expect(cues).toHaveLength(local.chunks!.length);
      cues.forEach((cue, index) => {
        const segment = local.chunks![index]!;
        expect(cue.start).toBeCloseTo(segment.start, 3);
        expect(cue.end).toBeCloseTo(segment.end, 3);
        const expected = segment.text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/-->/g, '->');
        expect(cue.text).toBe(format === 'vtt' ? expected.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : expected);
      });
    }
  });

  it('passes temperature on to whisper: 0 decodes greedily, 1 samples, and segments report it', async () => {
    const greedy = whisperLocal('plain');
    // No seed over HTTP, so the sampled text is not reproducible; 36 tokens sampled from random weights do not equal the greedy ones.
    const [zero, sampled] = await Promise.all([
      client.audio.transcriptions.create({ file: await file(), model: 'whisper', temperature: 0 }),
      client.audio.transcriptions.create({ file: await file(), model: 'whisper', temperature: 1, response_format: 'verbose_json' }),
    ]);
    expect(zero.text).toBe(greedy.text);
    expect(sampled.text).not.toBe(greedy.text);
    for (const segment of sampled.segments!) expect(segment.temperature).toBe(1);
  });

  it('conditions on a prompt as in process, counting its tokens as prompt tokens', async () => {
    const before = await metricValue(`accel_prompt_tokens_total{endpoint="whisper"}`);
    const data = await client.audio.transcriptions.create({ file: await file(), model: 'whisper', prompt });
    expect(data.text).toBe(whisperLocal('prompted').text);
    // Greedy decoding, so this is fixed: the prompt changed what the decoder wrote.
    expect(data.text).not.toBe(whisperLocal('plain').text);
    const { usage } = local.prompted.provenance;
    expect(usage!.inputTokens).toBeGreaterThan(0);
    expect((await metricValue(`accel_prompt_tokens_total{endpoint="whisper"}`)) - before).toBe(usage!.inputTokens);
  });

  it('refuses word timestamps, timestamps without verbose_json, streaming and unknown parameters, naming the parameter', async () => {
    const word = await expectHttpError(
      client.audio.transcriptions.create({ file: await file(), model: 'whisper', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] }),
      400,
      'unsupported_parameter',
      'timestamp_granularities',
    );
    expect(word).toBeInstanceOf(BadRequestError);
    expect(word.message).toMatch(/whisper gives segment timestamps only, not word/);
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', timestamp_granularities: ['segment'] }), 400, 'ACCEL_INVALID_INPUT', 'timestamp_granularities');
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', stream: true }), 400, 'unsupported_parameter', 'stream');
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', include: ['logprobs'] }), 400, 'unsupported_parameter', 'include');
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', response_format: 'diarized_json' }), 400, 'unsupported_parameter', 'response_format');
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', temperature: 1.5 }), 400, 'ACCEL_INVALID_INPUT', 'temperature');
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'whisper', language: 'klingon' }), 400, 'ACCEL_INVALID_INPUT', 'language');
  });
});

describe('POST /v1/audio/translations', () => {
  it('translates with whisper: the in-process translate text, verbose_json in English', async () => {
    const french = whisperLocal('french');
    const timed = whisperLocal('translated');
    // `language` is accel's extension on translations: the spoken language, which accel does not detect.
    const [data, text, verbose] = await Promise.all([
      client.audio.translations.create({ file: await file(), model: 'whisper', language: 'fr' } as OpenAI.Audio.TranslationCreateParams),
      client.audio.translations.create({ file: await file(), model: 'whisper', language: 'fr', response_format: 'text' } as OpenAI.Audio.TranslationCreateParams),
      client.audio.translations.create({ file: await file(), model: 'whisper', response_format: 'verbose_json' }).then((value) => value as OpenAI.Audio.TranslationVerbose),
    ]);
    expect(data.text).toBe(french.text);
    expect(text).toBe(french.text);
    expect(verbose).toMatchObject({ task: 'translate', language: 'en', duration: timed.duration, text: timed.text });
    expect(verbose.segments!.map(({ start, end, text }) => ({ start, end, text }))).toEqual(timed.chunks);
  });

  it('refuses a model that cannot translate and granularities, which translations do not take', async () => {
    const error = await expectHttpError(client.audio.translations.create({ file: await file(), model: 'wav2vec2' }), 400, 'model_not_supported', 'model');
    expect(error.message).toMatch(/wav2vec2 cannot translate \(endpoints that can: whisper\)/);
    await expectHttpError(
      client.audio.translations.create({ file: await file(), model: 'whisper', timestamp_granularities: ['segment'] } as OpenAI.Audio.TranslationCreateParams),
      400,
      'unsupported_parameter',
      'timestamp_granularities',
    );
  });
});

describe('POST /v1/audio/transcriptions with wav2vec2', () => {
  it('json, text and verbose_json with words: the in-process transcript', async () => {
    const local = await wav2vec2Local({ timestamps: true });
    expect(local.words!.length).toBeGreaterThan(0);
    expect(await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2' })).toEqual({ text: local.text, usage: { type: 'duration', seconds: local.duration } });
    expect(await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', response_format: 'text' })).toBe(local.text);
    const verbose = await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', response_format: 'verbose_json', timestamp_granularities: ['word'] });
    expect(verbose).toEqual({
      task: 'transcribe',
      language: 'unknown',
      duration: local.duration,
      text: local.text,
      words: local.words!.map(({ text, start, end }) => ({ word: text, start, end })),
      usage: { type: 'duration', seconds: local.duration },
    });
    // verbose_json without granularities: wav2vec2 has no segments, so none are listed.
    const bare = await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', response_format: 'verbose_json' });
    expect(bare).toEqual({ task: 'transcribe', language: 'unknown', duration: local.duration, text: local.text, usage: { type: 'duration', seconds: local.duration } });
  });

  it('srt and vtt: one cue spanning the whole audio (CTC has no segments)', async () => {
    const local = await wav2vec2Local();
    for (const format of ['srt', 'vtt'] as const) {
      const body = await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', response_format: format });
      expect(parseCues(body, format)).toEqual([{ start: 0, end: local.duration, text: local.text }]);
    }
  });

  it('refuses segment timestamps, a language, a prompt and a temperature above 0, naming the parameter', async () => {
    const segment = await expectHttpError(
      client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', response_format: 'verbose_json', timestamp_granularities: ['segment'] }),
      400,
      'unsupported_parameter',
      'timestamp_granularities',
    );
    expect(segment.message).toMatch(/wav2vec2 gives word timestamps only, not segment/);
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', language: 'en' }), 400, 'unsupported_parameter', 'language');
    const refused = await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', prompt: 'earlier' }), 400, 'unsupported_parameter', 'prompt');
    expect(refused.message).toMatch(/wav2vec2 takes no prompt/);
    await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', temperature: 0.5 }), 400, 'unsupported_parameter', 'temperature');
    expect((await client.audio.transcriptions.create({ file: await file(), model: 'wav2vec2', temperature: 0 })).text).toBe((await wav2vec2Local()).text);
  });
});

describe('audio uploads', () => {
  it('answers 400 naming file for a missing file or one that is not audio, 404 for an unknown model', async () => {
    const notAudio = await expectHttpError(
      client.audio.transcriptions.create({ file: await file(Buffer.from('this is a text file, not audio\n'), 'notes.wav'), model: 'whisper' }),
      400,
      'ACCEL_INVALID_INPUT',
      'file',
    );
    expect(notAudio).toBeInstanceOf(BadRequestError);
    expect(notAudio.message).toMatch(/as audio/);
    const form = new FormData();
    form.append('model', 'whisper');
    const missing = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('file');
    const json = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'whisper' }) });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { param: string } }).error.param).toBe('file');
    const unknown = await expectHttpError(client.audio.transcriptions.create({ file: await file(), model: 'no-such-model' }), 404, 'model_not_found', 'model');
    expect(unknown).toBeInstanceOf(NotFoundError);
  });

  it('answers 413 for an upload over the audio limit, and serves one under it', async () => {
    const error = await expectHttpError(smallClient.audio.transcriptions.create({ file: await file(), model: 'wav2vec2' }), 413, 'payload_too_large', null);
    expect(error.message).toMatch(/larger than 2000 bytes/);
    const short = readFileSync(writeWav('short.wav', voiced(0.05, 16_000), 16_000));
    const { output } = await accel.infer(wav2vec2Skill, new Uint8Array(short), { endpoint: 'wav2vec2' });
    const data = await smallClient.audio.transcriptions.create({ file: await file(short), model: 'wav2vec2' });
    expect(data.text).toBe(output.task === 'transcribe' ? output.transcriptions[0]!.text : undefined);
  });

  it('documents both routes with multipart request bodies in a valid OpenAPI document', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }> };
    for (const path of ['/v1/audio/transcriptions', '/v1/audio/translations']) {
      expect(Object.keys(document.paths[path]!.post.requestBody.content)).toEqual(['multipart/form-data']);
    }
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });
});

async function metricValue(series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
