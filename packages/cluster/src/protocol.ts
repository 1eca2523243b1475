import { serialize, deserialize } from 'node:v8';
import type { Provenance, SerializedError } from '@accel/core';
import { InvalidInputError } from '@accel/core';

/**
 * The wire format between a cluster client (gateway) and its workers.
 *
 * Payloads are V8 structured clones (`node:v8` `serialize`/`deserialize`): typed arrays such as
 * `Float32Array` embeddings and `Uint8Array` media arrive as themselves, which JSON would not do.
 * Both ends must therefore be Node.js processes.
 */

/** The work-queue stream that holds every job. */
export const jobStream = 'ACCEL_JOBS';
/** Jobs for endpoint `E` are published to `accel.jobs.E`. */
export const jobSubjectPrefix = 'accel.jobs';
/** Core NATS subjects `accel.abort.<request id>` on which a client cancels a request (see {@link abortSubject}). */
export const abortSubjectPrefix = 'accel.abort';
/**
 * Version of the payloads below; a worker rejects a job of another version, a client ignores a reply
 * of another. Version 2 added streaming (`stream` jobs, `kind` on replies) and abort subjects.
 */
export const protocolVersion = 2;

/** Which worker ran a request. */
export interface WorkerIdentity {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

/** One request, as published to its endpoint's subject. */
export interface JobMessage {
  readonly v: number;
  readonly requestId: string;
  readonly skill: string;
  readonly endpoint: string;
  readonly input: unknown;
  readonly options: Record<string, unknown>;
  /** Core NATS subject the result goes to (the client's inbox). */
  readonly reply: string;
  /** A generation to stream: the worker runs `accel.stream` and sends each text piece before the result. */
  readonly stream?: boolean;
}

/** A worker's answer to one job: the result, or the typed error as data. Always the last reply to a job. */
export type ResultMessage =
  | { readonly v: number; readonly requestId: string; readonly worker: WorkerIdentity; readonly kind: 'result'; readonly ok: true; readonly output: unknown; readonly provenance: Provenance }
  | { readonly v: number; readonly requestId: string; readonly worker: WorkerIdentity; readonly kind: 'result'; readonly ok: false; readonly error: SerializedError };

/** One generated text piece of a `stream` job; `index` counts a job's pieces from 0, in the order they were generated. */
export interface PieceMessage {
  readonly v: number;
  readonly requestId: string;
  readonly worker: WorkerIdentity;
  readonly kind: 'piece';
  readonly index: number;
  readonly text: string;
}

/** What a worker sends to a job's reply subject: pieces (stream jobs only), then one result. */
export type ReplyMessage = PieceMessage | ResultMessage;

const subjectToken = /^[^\s.*>]+$/;

/** The subject of an endpoint's jobs; endpoint names may not contain `.`, `*`, `>` or whitespace. */
export function jobSubject(endpoint: string): string {
  if (!subjectToken.test(endpoint)) {
    throw new InvalidInputError({ reason: `endpoint name ${JSON.stringify(endpoint)} cannot be a NATS subject token (no '.', '*', '>' or whitespace)` });
  }
  return `${jobSubjectPrefix}.${endpoint}`;
}

/** A name with every character but letters, digits and `-` hex-escaped (`.` → `_2e_`): a safe NATS subject token and stream/consumer name. */
function escapeToken(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, (char) => `_${char.codePointAt(0)!.toString(16)}_`);
}

/** The durable consumer shared by an endpoint's workers: the endpoint name with unsafe characters hex-escaped. */
export function consumerName(endpoint: string): string {
  return `accel_${escapeToken(endpoint)}`;
}

/** The core NATS subject that cancels one request: `accel.abort.<request id>`, the id hex-escaped where it is not a safe token. */
export function abortSubject(requestId: string): string {
  return `${abortSubjectPrefix}.${escapeToken(requestId)}`;
}

/** Encodes a payload; a value structured clone cannot carry (a function, a class instance's methods) is an `InvalidInputError`. */
export function encode(message: JobMessage | ReplyMessage): Uint8Array {
  try {
    return serialize(message);
  } catch (error) {
    throw new InvalidInputError({ reason: `cannot send this value to a worker: ${(error as Error).message}`, cause: error });
  }
}

/**
 * Throws `InvalidInputError` when a payload is larger than the broker accepts in one message
 * (`max_payload`, 1 MiB by default); large media will go through the JetStream object store.
 */
export function assertFits(payload: Uint8Array, maxPayload: number | undefined, what: string): void {
  if (maxPayload !== undefined && payload.byteLength > maxPayload) {
    throw new InvalidInputError({ reason: `${what} is ${payload.byteLength} bytes encoded; the NATS server accepts at most ${maxPayload} bytes per message (max_payload)` });
  }
}

export function decodeJob(data: Uint8Array): JobMessage {
  const job = deserialize(data) as JobMessage;
  if (job === null || typeof job !== 'object' || job.v !== protocolVersion || typeof job.requestId !== 'string' || typeof job.reply !== 'string') {
    throw new InvalidInputError({ reason: `not an accel job of protocol version ${protocolVersion}` });
  }
  return job;
}

/** Decodes a worker's reply (a piece or the result); anything else, or another protocol version, is an `InvalidInputError`. */
export function decodeReply(data: Uint8Array): ReplyMessage {
  const reply = deserialize(data) as ReplyMessage;
  if (
    reply === null ||
    typeof reply !== 'object' ||
    reply.v !== protocolVersion ||
    typeof reply.requestId !== 'string' ||
    typeof reply.worker?.id !== 'string' ||
    !((reply.kind === 'result' && typeof reply.ok === 'boolean') || (reply.kind === 'piece' && Number.isInteger(reply.index) && typeof reply.text === 'string'))
  ) {
    throw new InvalidInputError({ reason: `not an accel reply of protocol version ${protocolVersion}` });
  }
  return reply;
}
