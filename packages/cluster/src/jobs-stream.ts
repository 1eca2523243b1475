import { AccelError, BackendUnavailableError, InvalidInputError } from '@accel/core';
import { AckPolicy, DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { consumerName, jobStream, jobSubject, jobSubjectPrefix } from './protocol.js';

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}

/** JetStream's API error code for a publish refused because its subject holds `max_msgs_per_subject` messages. */
export const subjectFullErrorCode = 10077;

/** Whether a publish failed because the endpoint's subject is full (the stream's per-subject bound). */
export function isSubjectFull(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === subjectFullErrorCode;
}

/**
 * A broker failure (connection closed or reconnecting, a PubAck or API timeout, JetStream not
 * answering) as accel's typed `BackendUnavailableError` naming what was being done, so an HTTP
 * gateway answers 503 rather than leaking a raw NATS error. accel's own errors pass through.
 */
export function brokerError(error: unknown, doing: string): AccelError {
  if (AccelError.isInstance(error)) return error;
  const reason = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return new BackendUnavailableError({ backend: 'nats', reason: `${doing} failed: ${reason}`, cause: error });
}

/** Default bound of each endpoint's queue in the stream (jobs waiting plus jobs held by workers). */
export const defaultMaxQueuedPerEndpoint = 1024;

export interface JobStreamOptions {
  /**
   * Jobs one endpoint's subject may hold at once (`max_msgs_per_subject`, with `discard: new` per
   * subject): waiting ones and ones held by workers but not yet acked. A publish beyond it is refused
   * by the broker (the client's `QueueFullError`). Default 1024.
   */
  readonly maxQueuedPerEndpoint?: number;
}

/** Checks a queue bound: a positive integer, else `InvalidInputError`. */
export function queueBound(maxQueuedPerEndpoint: number | undefined): number {
  const bound = maxQueuedPerEndpoint ?? defaultMaxQueuedPerEndpoint;
  if (!Number.isInteger(bound) || bound < 1) throw new InvalidInputError({ reason: `maxQueuedPerEndpoint must be a positive integer, got ${bound}` });
  return bound;
}

/**
 * Creates the work-queue stream if it does not exist yet (clients and workers both call it), bounded
 * per endpoint subject; updates an existing stream whose bound differs (the last process to start
 * sets it, so give every client and worker the same `maxQueuedPerEndpoint`). Returns the bound.
 *
 * Checked on nats-server 2.9.10: on a work-queue stream, `max_msgs_per_subject` with `discard: new`
 * and `discard_new_per_subject` refuses the publish beyond the bound with API error 10077 ("maximum
 * messages per subject exceeded") while other subjects still take jobs; a job counts until it is
 * acked or deleted; `streams.update` changes the bound of a stream that has one and adds it to one
 * that had none.
 */
export async function ensureJobStream(jsm: JetStreamManager, options: JobStreamOptions = {}): Promise<number> {
  const bound = queueBound(options.maxQueuedPerEndpoint);
  const limits = { max_msgs_per_subject: bound, discard: DiscardPolicy.New, discard_new_per_subject: true };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const { config } = await jsm.streams.info(jobStream);
      if (config.max_msgs_per_subject !== bound || config.discard !== DiscardPolicy.New || config.discard_new_per_subject !== true) {
        await jsm.streams.update(jobStream, { ...config, ...limits });
      }
      return bound;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await jsm.streams.add({ name: jobStream, subjects: [`${jobSubjectPrefix}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File, ...limits });
      return bound;
    } catch (error) {
      // Another process created it in between: check its bound once more.
      if (attempt > 0) throw error;
    }
  }
}

/**
 * Creates (or updates) the durable consumer shared by an endpoint's workers. One `filter_subject`
 * per consumer: nats-server 2.9 has no `filter_subjects` and allows one unfiltered consumer per
 * work-queue stream.
 */
export async function ensureJobConsumer(jsm: JetStreamManager, endpoint: string, ackWaitMs: number, maxDeliver: number): Promise<string> {
  const name = consumerName(endpoint);
  const wanted = { ack_wait: nanos(ackWaitMs), max_deliver: maxDeliver };
  try {
    const info = await jsm.consumers.info(jobStream, name);
    if (info.config.ack_wait !== wanted.ack_wait || info.config.max_deliver !== wanted.max_deliver) await jsm.consumers.update(jobStream, name, wanted);
    return name;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.consumers.add(jobStream, { durable_name: name, ack_policy: AckPolicy.Explicit, filter_subject: jobSubject(endpoint), ...wanted });
  } catch (error) {
    await jsm.consumers.info(jobStream, name).catch(() => Promise.reject(error));
  }
  return name;
}
