import type { EmbeddingModality, ModalityItems } from '@accel/core';
import type { RequestContext, ServerContext } from '../context.js';
import { decodeDataUri } from '../data-uri.js';
import { HttpError, invalidParameter, unsupportedParameter } from '../errors.js';

/** The modalities a standard request may name (Infinity's `modality` field). */
export const modalityNames: readonly EmbeddingModality[] = ['text', 'image', 'audio', 'video'];

/** 400 `ACCEL_INVALID_INPUT`, the message led by the field it names. */
export function invalid(param: string, message: string): HttpError {
  return invalidParameter(param, `${param}: ${message}`);
}

/** 400 `unsupported_parameter`, the message led by the field it names. */
export function unsupported(param: string, message: string): HttpError {
  return unsupportedParameter(param, `${param}: ${message}`);
}

/** The body as a JSON object; 400 naming what it is otherwise. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', `expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
  return body as Record<string, unknown>;
}

/** 400 `unsupported_parameter` naming the first field of `body` that is not in `known`. */
export function refuseUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const field = Object.keys(body).find((key) => !known.includes(key));
  if (field !== undefined) throw unsupported(field, `this server does not support the parameter ${field} here (it takes ${known.join(', ')})`);
}

/** An optional string field; 400 naming it when it is something else. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, `expected a string, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  return value;
}

/** The request's `modality`: one of `modalityNames`, else 400; `fallback` when absent. */
export function readModality(value: unknown, fallback: EmbeddingModality): EmbeddingModality {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !modalityNames.includes(value as EmbeddingModality)) {
    throw invalid('modality', `expected one of ${modalityNames.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as EmbeddingModality;
}

const isTokenIds = (value: unknown) => typeof value === 'number' || (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'number'));

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** The list an `input` holds: a single string is a list of one. */
function listOf(input: unknown, modality: EmbeddingModality): unknown[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) throw invalid('input', `expected ${modality === 'text' ? 'a string or an array of strings' : 'a data URI or an array of data URIs'}, got ${describe(input)}`);
  if (input.length === 0) throw invalid('input', 'the input list is empty');
  return input;
}

/** 413 when a request holds more items than the server takes in one call. */
function checkCount(count: number, maxInputs: number): void {
  if (count > maxInputs) {
    throw new HttpError(413, 'invalid_request_error', 'payload_too_large', `input holds ${count} items; this server takes at most ${maxInputs} in one request: split it`, { param: 'input' });
  }
}

/**
 * The items of `input` in `modality`: texts as they are; images and audio as data URIs decoded to
 * bytes; a video as its frames (data URIs of images), and `input` either one video (an array of
 * frames) or several (an array of such arrays). Token-id arrays are refused (400
 * `unsupported_parameter`), more items than `maxInputs` get 413, and anything else malformed 400
 * naming the item (`input[2]`).
 */
export async function readModalityItems(input: unknown, modality: EmbeddingModality, maxInputs: number): Promise<ModalityItems> {
  if (input === undefined || input === null) throw invalid('input', 'is required');
  if (modality === 'text') {
    if (isTokenIds(input) || (Array.isArray(input) && input.some(isTokenIds))) {
      throw unsupported('input', 'token id arrays are not supported: send the text (a string or an array of strings); the server tokenizes it with the model’s tokenizer');
    }
    const texts = listOf(input, modality);
    checkCount(texts.length, maxInputs);
    texts.forEach((text, index) => {
      if (typeof text !== 'string') throw invalid(`input[${index}]`, `expected a string, got ${describe(text)}`);
    });
    return { modality, items: texts as string[] };
  }
  if (modality === 'video') {
    if (typeof input === 'string') throw invalid('input', 'a video is its frames: send an array of data:image/…;base64,… URIs (one video) or an array of such arrays (several)');
    const list = listOf(input, modality);
    const several = list.every((entry) => Array.isArray(entry));
    const videos = several ? (list as unknown[][]) : [list];
    checkCount(videos.length, maxInputs);
    const decoded = await Promise.all(
      videos.map(async (frames, video) => {
        const at = several ? `input[${video}]` : 'input';
        if (frames.length === 0) throw invalid(at, 'the video has no frames');
        return Promise.all(frames.map((frame, index) => decodeDataUri(frame, 'image', `${at}[${index}]`)));
      }),
    );
    return { modality, items: decoded };
  }
  const list = listOf(input, modality);
  checkCount(list.length, maxInputs);
  const items = await Promise.all(list.map((value, index) => decodeDataUri(value, modality, `input[${index}]`)));
  return { modality, items } as ModalityItems;
}

/**
 * The body of a request whose items may be media: the body limit middleware allows
 * `mediaBodyBytes`; a text-only request above `jsonBodyBytes` gets 413 here.
 */
export async function readStandardBody(c: RequestContext, context: ServerContext): Promise<{ body: Record<string, unknown>; bytes: number }> {
  const bytes = (await c.req.arrayBuffer()).byteLength;
  // Hono keeps the body it read: readJson parses the same bytes.
  const body = objectBody(await context.readJson(c));
  return { body, bytes };
}

/** 413 for a text request whose body is larger than `jsonBodyBytes` (media requests may be larger). */
export function checkTextBodySize(bytes: number, modality: EmbeddingModality, context: ServerContext): void {
  if (modality === 'text' && bytes > context.limits.jsonBodyBytes) {
    throw new HttpError(413, 'invalid_request_error', 'payload_too_large', `request body is larger than ${context.limits.jsonBodyBytes} bytes (the limit for text; media requests may be up to ${context.limits.mediaBodyBytes})`);
  }
}
