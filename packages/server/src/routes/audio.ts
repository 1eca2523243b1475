import { deflateSync } from 'node:zlib';
import { InvalidInputError, UnsupportedError, type SkillRequest, type TranscribeCapabilityV1, type TranscribeRequest, type Transcript, type TranscriptGranularity } from '@accel/core';
import { provenanceField, provenanceRequestHeader, routeLabel, wantsFullProvenance, type App, type RequestContext, type ServerContext } from '../context.js';
import { HttpError, paramOf } from '../errors.js';
import { invalid, unsupported } from './modality-items.js';
import { inferenceErrorResponses, provenanceBodyField, provenanceHeaderParameter } from '../openapi.js';

type Task = TranscribeRequest['task'];

const responseFormats = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
type ResponseFormat = (typeof responseFormats)[number];
const granularityNames: readonly TranscriptGranularity[] = ['word', 'segment'];

/** The form fields each route reads (`timestamp_granularities` also arrives as `timestamp_granularities[]`). */
const fields: Record<Task, readonly string[]> = {
  transcribe: ['file', 'model', 'language', 'prompt', 'response_format', 'temperature', 'timestamp_granularities', 'stream'],
  // `language` is an extension here: accel does not detect the spoken language, so a translation needs it named.
  translate: ['file', 'model', 'language', 'prompt', 'response_format', 'temperature'],
};
/** OpenAI parameters accel has no equivalent for: refused by name rather than ignored. */
const refused: Readonly<Record<string, string>> = {
  chunking_strategy: 'accel cuts long audio into the model’s own windows; there is no voice-activity chunking to configure',
  include: 'accel reports no token log probabilities',
  known_speaker_names: 'accel does no speaker diarization',
  known_speaker_references: 'accel does no speaker diarization',
};


type FormValue = string | File;

/** The multipart form, each key without a trailing `[]`, every value as a list. */
async function readForm(c: RequestContext): Promise<Map<string, FormValue[]>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw invalid('file', `expected a multipart/form-data upload with the audio in the file field, got ${type === '' ? 'no content-type' : type}`);
  }
  let body: Record<string, FormValue | FormValue[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch (error) {
    throw invalid('file', `the multipart body cannot be read: ${(error as Error).message}`);
  }
  const form = new Map<string, FormValue[]>();
  for (const [key, value] of Object.entries(body)) {
    const name = key.endsWith('[]') ? key.slice(0, -2) : key;
    form.set(name, [...(form.get(name) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  return form;
}

/** A text field given at most once; 400 naming it otherwise. */
function textField(form: Map<string, FormValue[]>, name: string): string | undefined {
  const values = form.get(name);
  if (values === undefined) return undefined;
  const [value] = values;
  if (values.length > 1) throw invalid(name, 'given more than once');
  if (typeof value !== 'string') throw invalid(name, 'expected a text field, got a file');
  return value;
}

interface AudioForm {
  readonly audio: Uint8Array;
  readonly model: string | undefined;
  readonly language: string | undefined;
  readonly prompt: string | undefined;
  readonly temperature: number | undefined;
  readonly responseFormat: ResponseFormat;
  readonly granularities: readonly TranscriptGranularity[] | undefined;
}

async function readAudioForm(form: Map<string, FormValue[]>, task: Task): Promise<AudioForm> {
  for (const name of form.keys()) {
    if (refused[name] !== undefined) throw unsupported(name, refused[name]);
    if (!fields[task].includes(name)) throw unsupported(name, `this server does not support the parameter ${name} here (it takes ${fields[task].join(', ')})`);
  }
  const stream = textField(form, 'stream');
  if (stream !== undefined && stream !== 'false') {
    throw unsupported('stream', 'streamed transcription is not supported: the transcript comes whole, in one response');
  }
  const files = form.get('file');
  if (files === undefined || files.length === 0) throw invalid('file', 'the audio file is missing: send it as the multipart field file');
  if (files.length > 1) throw invalid('file', 'give one audio file per request');
  const [file] = files;
  if (typeof file === 'string') throw invalid('file', 'expected an uploaded file, got a text field');
  const audio = new Uint8Array(await file!.arrayBuffer());
  if (audio.length === 0) throw invalid('file', `${file!.name || 'the file'} is empty`);

  const format = textField(form, 'response_format') ?? 'json';
  if (!(responseFormats as readonly string[]).includes(format)) {
    throw unsupported('response_format', `expected one of ${responseFormats.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const temperatureText = textField(form, 'temperature');
  let temperature: number | undefined;
  if (temperatureText !== undefined) {
    temperature = temperatureText.trim() === '' ? Number.NaN : Number(temperatureText);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 1) throw invalid('temperature', `expected a number from 0 to 1, got ${JSON.stringify(temperatureText)}`);
  }
  const granularityValues = form.get('timestamp_granularities');
  let granularities: TranscriptGranularity[] | undefined;
  if (granularityValues !== undefined) {
    granularities = [];
    for (const value of granularityValues) {
      if (typeof value !== 'string' || !(granularityNames as readonly string[]).includes(value)) {
        throw invalid('timestamp_granularities', `expected word or segment, got ${typeof value === 'string' ? JSON.stringify(value) : 'a file'}`);
      }
      if (!granularities.includes(value as TranscriptGranularity)) granularities.push(value as TranscriptGranularity);
    }
    if (format !== 'verbose_json') throw invalid('timestamp_granularities', `timestamps need response_format verbose_json, got ${format}`);
  }
  const language = textField(form, 'language');
  const prompt = textField(form, 'prompt');
  return {
    audio,
    model: textField(form, 'model'),
    language: language === '' ? undefined : language,
    prompt: prompt === '' ? undefined : prompt,
    temperature,
    responseFormat: format as ResponseFormat,
    granularities,
  };
}

/** The OpenAI field an accel error about the request points at: the audio is `file`, an option the field of its name. */
function formParam(error: InvalidInputError): string {
  const param = paramOf(error);
  if (param === 'input' || param.startsWith('input[') || param.startsWith('input.')) return 'file';
  const option = param.startsWith('options.') ? param.slice('options.'.length) : param;
  if (option === 'language' || option === 'prompt' || option === 'temperature') return option;
  // A task the model cannot do (an English-only Whisper asked to translate) is the model's limit.
  if (option === 'task') return 'model';
  return param;
}

/** Runs `step`, turning accel's typed request errors into 400s that name the form field. */
async function asFormErrors<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (UnsupportedError.isInstance(error)) {
      const param = error.feature === 'task' ? 'model' : error.feature;
      throw new HttpError(400, 'invalid_request_error', 'unsupported_parameter', error.message, { param });
    }
    if (InvalidInputError.isInstance(error)) throw new HttpError(400, 'invalid_request_error', error.code, error.message, { param: formParam(error) });
    throw error;
  }
}

/** Whisper's compression ratio: UTF-8 bytes over zlib-compressed bytes (what openai-whisper computes per segment). */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : bytes.length / deflateSync(bytes).length;
}

interface Cue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The transcript's segments as subtitle cues; a transcript without segments is one cue spanning the whole audio. */
function cuesOf(transcript: Transcript): Cue[] {
  if (transcript.segments !== undefined && transcript.segments.length > 0) return [...transcript.segments];
  return transcript.text.length === 0 ? [] : [{ start: 0, end: transcript.duration, text: transcript.text }];
}

/** `HH:MM:SS<separator>mmm`. */
function clock(seconds: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(seconds * 1000));
  const two = (value: number) => String(value).padStart(2, '0');
  const hours = Math.floor(total / 3_600_000);
  return `${two(hours)}:${two(Math.floor(total / 60_000) % 60)}:${two(Math.floor(total / 1000) % 60)}${separator}${String(total % 1000).padStart(3, '0')}`;
}

/** Cue text on one line (a blank line would end the cue) with no `-->` (it marks a timing line). */
function cueText(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/-->/g, '->').trim();
}

function toSrt(cues: readonly Cue[]): string {
  return cues.map((cue, index) => `${index + 1}\n${clock(cue.start, ',')} --> ${clock(cue.end, ',')}\n${cueText(cue.text)}\n`).join('\n');
}

function toVtt(cues: readonly Cue[]): string {
  // WebVTT cue text is markup: &, < and > are written as character references.
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `WEBVTT\n\n${cues.map((cue) => `${clock(cue.start, '.')} --> ${clock(cue.end, '.')}\n${escape(cueText(cue.text))}\n`).join('\n')}`;
}

/** The timestamps asked of the skill: the granularities given, else segments where subtitles or verbose_json want them. */
function timestampsFor(form: AudioForm, capability: TranscribeCapabilityV1<unknown, unknown, unknown>, model: string): TranscriptGranularity[] {
  if (form.granularities !== undefined) {
    const missing = form.granularities.find((granularity) => !capability.granularities.includes(granularity));
    if (missing !== undefined) {
      const has = capability.granularities.length === 0 ? 'no timestamps' : `${capability.granularities.join(' and ')} timestamps only`;
      throw unsupported('timestamp_granularities', `${model} gives ${has}, not ${missing}`);
    }
    return [...form.granularities];
  }
  const wantsSegments = form.responseFormat === 'verbose_json' || form.responseFormat === 'srt' || form.responseFormat === 'vtt';
  return wantsSegments && capability.granularities.includes('segment') ? ['segment'] : [];
}

function registerAudioRoute(app: App, context: ServerContext, path: string, task: Task): void {
  app.post(
    path,
    routeLabel(path),
    context.bodyLimit(context.limits.audioBodyBytes),
    async (c) => {
      context.assertOpen();
      const full = wantsFullProvenance(c);
      const form = await readAudioForm(await readForm(c), task);
      if (full && form.responseFormat !== 'json' && form.responseFormat !== 'verbose_json') {
        // A text answer has no field to put it in: refused rather than silently left out (the x-accel-* headers still come).
        throw unsupported('response_format', `${form.responseFormat} is text, and ${provenanceRequestHeader}: full puts the provenance in a JSON body: ask for json or verbose_json, or drop the header and read the x-accel-* response headers`);
      }
      const endpoint = context.endpointFor(form.model, 'transcribe');
      const capability = endpoint.skill.capabilities!.transcribe as TranscribeCapabilityV1<unknown, unknown, unknown>;
      const model = form.model!;
      if (!capability.tasks.includes(task)) {
        const others = context.endpointsWith('transcribe').filter((id) => context.endpointFor(id, 'transcribe').skill.capabilities!.transcribe!.tasks.includes(task));
        throw new HttpError(400, 'invalid_request_error', 'model_not_supported', `${model} cannot ${task}${others.length > 0 ? ` (endpoints that can: ${others.join(', ')})` : ''}`, { param: 'model' });
      }
      const timestamps = timestampsFor(form, capability, model);
      const standard: TranscribeRequest = {
        audio: form.audio,
        task,
        timestamps,
        ...(form.language === undefined ? {} : { language: form.language }),
        ...(form.prompt === undefined ? {} : { prompt: form.prompt }),
        ...(form.temperature === undefined ? {} : { temperature: form.temperature }),
      };
      const request = await asFormErrors((): SkillRequest<unknown, unknown> => capability.request(standard));
      const result = await asFormErrors(() => context.infer(c, endpoint, request));
      const transcript = capability.transcript(result.output);
      const usage = { type: 'duration' as const, seconds: transcript.duration };
      switch (form.responseFormat) {
        case 'text':
          return c.text(transcript.text);
        case 'srt':
          return c.text(toSrt(cuesOf(transcript)));
        case 'vtt':
          return c.text(toVtt(cuesOf(transcript)));
        case 'json':
          return c.json({ text: transcript.text, usage, ...provenanceField(full, result) });
        case 'verbose_json':
          return c.json({
            task,
            language: transcript.language ?? 'unknown',
            duration: transcript.duration,
            text: transcript.text,
            ...(timestamps.includes('segment')
              ? {
                  segments: (transcript.segments ?? []).map((segment, id) => ({
                    id,
                    // Placeholders (documented): accel does not report the window offset, token ids or decoder scores.
                    seek: 0,
                    start: segment.start,
                    end: segment.end,
                    text: segment.text,
                    tokens: [],
                    temperature: form.temperature ?? 0,
                    avg_logprob: 0,
                    compression_ratio: compressionRatio(segment.text),
                    no_speech_prob: 0,
                  })),
                }
              : {}),
            ...(timestamps.includes('word') ? { words: [...(transcript.words ?? [])] } : {}),
            usage,
            ...provenanceField(full, result),
          });
      }
    },
  );
}

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations` (OpenAI multipart, every response_format). */
export function registerAudioRoutes(app: App, context: ServerContext): void {
  registerAudioRoute(app, context, '/v1/audio/transcriptions', 'transcribe');
  registerAudioRoute(app, context, '/v1/audio/translations', 'translate');
}

const segmentSchema = {
  type: 'object',
  required: ['id', 'seek', 'start', 'end', 'text', 'tokens', 'temperature', 'avg_logprob', 'compression_ratio', 'no_speech_prob'],
  properties: {
    id: { type: 'integer' },
    seek: { type: 'integer', description: 'always 0: accel does not report which window a segment was decoded in' },
    start: { type: 'number' },
    end: { type: 'number' },
    text: { type: 'string' },
    tokens: { type: 'array', items: { type: 'integer' }, description: 'always empty' },
    temperature: { type: 'number', description: 'the temperature requested (0 by default)' },
    avg_logprob: { type: 'number', description: 'always 0 (placeholder)' },
    compression_ratio: { type: 'number', description: 'UTF-8 bytes of the text over its zlib-compressed bytes' },
    no_speech_prob: { type: 'number', description: 'always 0 (placeholder)' },
  },
};
const wordSchema = { type: 'object', required: ['word', 'start', 'end'], properties: { word: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' } } };
const usageSchema = { type: 'object', required: ['type', 'seconds'], properties: { type: { const: 'duration' }, seconds: { type: 'number' } } };
const jsonSchema = { type: 'object', required: ['text'], properties: { text: { type: 'string' }, usage: usageSchema, provenance: provenanceBodyField } };
const verboseSchema = {
  type: 'object',
  required: ['task', 'language', 'duration', 'text'],
  properties: {
    task: { enum: ['transcribe', 'translate'] },
    language: { type: 'string', description: 'the language code of the text (en for a translation); unknown when the model does not know it' },
    duration: { type: 'number', description: 'seconds of audio' },
    text: { type: 'string' },
    segments: { type: 'array', items: segmentSchema },
    words: { type: 'array', items: wordSchema },
    usage: usageSchema,
    provenance: provenanceBodyField,
  },
};

function formSchema(task: Task): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'the audio file (wav, mp3, flac, ogg, opus, m4a, webm)' },
    model: { type: 'string', description: 'an endpoint name or model id whose skill transcribes (GET /v1/models)' },
    language: {
      type: 'string',
      description:
        task === 'translate'
          ? 'accel extension: the spoken language (accel does not detect it; Whisper is told English otherwise)'
          : 'the spoken language (ISO-639-1); Whisper is told English when absent (no detection); wav2vec2 refuses it',
    },
    prompt: { type: 'string', description: 'text that came before, to condition on (Whisper’s previous-text prompt); wav2vec2 refuses it' },
    response_format: { enum: [...responseFormats], default: 'json' },
    temperature: { type: 'number', minimum: 0, maximum: 1, description: 'sampling temperature (Whisper); wav2vec2 takes 0 only' },
  };
  if (task === 'transcribe') {
    properties['timestamp_granularities[]'] = {
      type: 'array',
      items: { enum: [...granularityNames] },
      description: 'verbose_json only; the bare key timestamp_granularities is accepted too. Whisper: segment; wav2vec2: word',
    };
    properties.stream = { type: 'boolean', description: 'only false: a transcript is not streamed' };
  }
  return { type: 'object', required: ['file', 'model'], properties };
}

function audioOperation(task: Task): Record<string, unknown> {
  return {
    operationId: task === 'translate' ? 'createTranslation' : 'createTranscription',
    summary: task === 'translate' ? 'Speech to English text (OpenAI-compatible)' : 'Speech to text (OpenAI-compatible)',
    parameters: [
      {
        ...provenanceHeaderParameter,
        description: `${provenanceHeaderParameter.description} json and verbose_json only: with text, srt or vtt the header is a 400 unsupported_parameter (param response_format).`,
      },
    ],
    requestBody: { required: true, content: { 'multipart/form-data': { schema: formSchema(task) } } },
    responses: {
      200: {
        description: 'json and verbose_json as JSON; text, srt and vtt as text/plain',
        content: { 'application/json': { schema: { anyOf: [verboseSchema, jsonSchema] } }, 'text/plain': { schema: { type: 'string' } } },
      },
      ...inferenceErrorResponses,
    },
  };
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const audioPaths: Record<string, unknown> = {
  '/v1/audio/transcriptions': { post: audioOperation('transcribe') },
  '/v1/audio/translations': { post: audioOperation('translate') },
};
