import { randomUUID } from 'node:crypto';
import {
  AbortedError,
  InvalidInputError,
  TimeoutError,
  deserializeError,
  type Provenance,
  type SkillInput,
  type SkillOptions,
  type SkillOutput,
  type SkillV1,
} from '@accel/core';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ensureJobStream } from './jobs-stream.js';
import { assertFits, decodeResult, encode, jobStream, jobSubject, protocolVersion, type WorkerIdentity } from './protocol.js';

export interface ClusterClientOptions {
  /** A connection to the NATS server (JetStream enabled); `close()` does not close it. */
  readonly connection: NatsConnection;
  /** Default time a request waits for a worker's answer before rejecting with `TimeoutError`. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

/** Per-call options of the cluster's `infer`, besides the skill's own options. */
export interface ClusterCallOptions {
  /** Endpoint name the workers serve (the subject `accel.jobs.<endpoint>`). */
  readonly endpoint: string;
  /** The job's id and JetStream `Nats-Msg-Id`: two publishes with one id within the stream's duplicate window (2 min) are one job. Default: a random UUID. */
  readonly requestId?: string;
  /** Overrides the client's `timeoutMs` for this request. */
  readonly timeoutMs?: number;
  /** Rejects with `AbortedError` (the worker still runs the job; its late answer is dropped). */
  readonly signal?: AbortSignal;
}

/** Core's provenance, plus the worker that ran the request. */
export type ClusterProvenance = Provenance & { readonly worker: WorkerIdentity };

export interface ClusterInferResult<O> {
  readonly output: O;
  readonly provenance: ClusterProvenance;
}

export interface ClusterClientStats {
  /** Requests published and not yet settled. */
  readonly pending: number;
  /** Answers for a request already answered (a redelivered job run twice), dropped. */
  readonly duplicatesDropped: number;
  /** Answers for a request that had already timed out or been aborted, dropped. */
  readonly lateDropped: number;
}

export interface ClusterClient {
  infer<S extends SkillV1>(skill: S | string, input: SkillInput<S>, options: SkillOptions<S> & ClusterCallOptions): Promise<ClusterInferResult<SkillOutput<S>>>;
  stats(): ClusterClientStats;
  /** Rejects pending requests with `AbortedError` and stops listening for answers. */
  close(): Promise<void>;
}

interface Pending {
  resolve(result: ClusterInferResult<unknown>): void;
  reject(error: Error): void;
}

/** Request ids remembered after they settle, to tell a duplicate from a stray answer. */
const rememberedIds = 100_000;

/**
 * A client of the cluster (the gateway's side): publishes each request as a job on its endpoint's
 * subject (awaiting JetStream's PubAck) and resolves it with the first answer that arrives on this
 * client's inbox, exactly once per request id.
 */
export async function createClusterClient(options: ClusterClientOptions): Promise<ClusterClient> {
  const { connection } = options;
  const defaultTimeoutMs = options.timeoutMs ?? 60_000;
  const jsm: JetStreamManager = await jetstreamManager(connection);
  await ensureJobStream(jsm);
  const js = jetstream(connection);
  const inbox = createInbox();
  const pending = new Map<string, Pending>();
  /** Settled ids, oldest first, with whether they were answered (true) or gave up on (false). */
  const settled = new Map<string, boolean>();
  let duplicatesDropped = 0;
  let lateDropped = 0;

  const remember = (requestId: string, answered: boolean) => {
    settled.set(requestId, answered);
    if (settled.size > rememberedIds) settled.delete(settled.keys().next().value!);
  };

  const subscription: Subscription = connection.subscribe(inbox, {
    callback: (error, message) => {
      if (error) return;
      let result;
      try {
        result = decodeResult(message.data);
      } catch {
        return;
      }
      const waiter = pending.get(result.requestId);
      if (waiter === undefined) {
        if (settled.get(result.requestId) === true) duplicatesDropped += 1;
        else lateDropped += 1;
        return;
      }
      pending.delete(result.requestId);
      remember(result.requestId, true);
      if (result.ok) waiter.resolve({ output: result.output, provenance: { ...result.provenance, worker: result.worker } });
      else waiter.reject(deserializeError(result.error));
    },
  });

  return {
    async infer(skill, input, callOptions) {
      const { endpoint, requestId = randomUUID(), timeoutMs = defaultTimeoutMs, signal, ...skillOptions } = callOptions;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidInputError({ reason: `timeoutMs must be positive, got ${timeoutMs}` });
      if (pending.has(requestId) || settled.has(requestId)) throw new InvalidInputError({ reason: `request id ${requestId} was already used by this client` });
      if (signal?.aborted) throw new AbortedError({ reason: 'signal aborted before the request started' });
      const subject = jobSubject(endpoint);
      const payload = encode({ v: protocolVersion, requestId, skill: typeof skill === 'string' ? skill : skill.name, endpoint, input, options: skillOptions, reply: inbox });
      assertFits(payload, connection.info?.max_payload, 'the request');
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      let sequence: number | undefined;
      const answer = new Promise<ClusterInferResult<unknown>>((resolve, reject) => {
        const giveUp = (error: Error) => {
          if (!pending.delete(requestId)) return;
          remember(requestId, false);
          // A job nobody took yet is removed, so that a worker started later does not run it for nobody.
          if (sequence !== undefined) jsm.streams.deleteMessage(jobStream, sequence, false).catch(() => undefined);
          reject(error);
        };
        pending.set(requestId, { resolve, reject });
        timer = setTimeout(() => giveUp(new TimeoutError({ timeoutMs, message: `no worker answered request ${requestId} on endpoint ${endpoint} within ${timeoutMs} ms` })), timeoutMs);
        onAbort = () => giveUp(new AbortedError({ reason: 'signal aborted' }));
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      // It may settle (timeout, abort) while the publish is awaited; it is awaited below.
      answer.catch(() => undefined);
      try {
        const ack = await js.publish(subject, payload, { msgID: requestId });
        if (ack.duplicate) {
          // Another publish with this id is within the stream's duplicate window: its answer goes to its own publisher.
          throw new InvalidInputError({ reason: `request id ${requestId} was already published within the duplicate window` });
        }
        sequence = ack.seq;
        // Gave up (timeout, abort) before the PubAck arrived: remove the job now.
        if (!pending.has(requestId)) jsm.streams.deleteMessage(jobStream, sequence, false).catch(() => undefined);
        return (await answer) as never;
      } catch (error) {
        // A failed publish settles the request here.
        if (pending.delete(requestId)) remember(requestId, false);
        throw error;
      } finally {
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
    },
    stats: () => ({ pending: pending.size, duplicatesDropped, lateDropped }),
    async close() {
      for (const [requestId, waiter] of pending) {
        pending.delete(requestId);
        remember(requestId, false);
        waiter.reject(new AbortedError({ reason: 'the cluster client was closed' }));
      }
      if (!connection.isClosed()) await subscription.drain();
    },
  };
}
