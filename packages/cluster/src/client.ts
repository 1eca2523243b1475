import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import {
  AbortedError,
  InferenceError,
  InvalidInputError,
  QueueFullError,
  TimeoutError,
  deserializeError,
  type InferStream,
  type EndpointStatus,
  type Provenance,
  type SkillInput,
  type SkillOptions,
  type SkillOutput,
  type SkillV1,
} from '@accel/core';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { brokerError, ensureJobStream, isSubjectFull } from './jobs-stream.js';
import { watchRegistry, type ClusterDescription } from './registry.js';
import { abortSubject, assertFits, decodeReply, encode, jobStream, jobSubject, protocolVersion, type WorkerIdentity } from './protocol.js';

export interface ClusterClientOptions {
  /** A connection to the NATS server (JetStream enabled); `close()` does not close it. */
  readonly connection: NatsConnection;
  /** Default time a request waits for a worker's answer before rejecting with `TimeoutError`. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /**
   * The stream's bound per endpoint: jobs waiting plus jobs held by workers. A request beyond it is
   * refused at once with `QueueFullError` (HTTP 429). Give clients and workers the same value (the
   * last to start sets the stream's). Default 1024.
   */
  readonly maxQueuedPerEndpoint?: number;
  /** The workers' heartbeat interval (their `heartbeatMs`): a worker is dead after 3 × this without a heartbeat. Default 1000 ms. */
  readonly heartbeatMs?: number;
}

/** Per-call options of the cluster's `infer`, besides the skill's own options. */
export interface ClusterCallOptions {
  /** Endpoint name the workers serve (the subject `accel.jobs.<endpoint>`). */
  readonly endpoint: string;
  /** The job's id and JetStream `Nats-Msg-Id`: two publishes with one id within the stream's duplicate window (2 min) are one job. Default: a random UUID. */
  readonly requestId?: string;
  /** Overrides the client's `timeoutMs` for this request. */
  readonly timeoutMs?: number;
  /** Rejects with `AbortedError` and tells the workers (`accel.abort.<request id>`): the one holding the job stops it. */
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
  /**
   * Streams rejected with `InferenceError` because a second worker (a redelivered job) or a gap in
   * the pieces' order showed up: a restarted generation cannot continue another's text.
   */
  readonly streamsBroken: number;
  /** Requests failed with `InferenceError` because JetStream delivered their job `maxDeliver` times with no answer; each such job is removed from the stream. */
  readonly exhaustedJobs: number;
}

/** A streamed generation: text pieces in order, then `result` with the worker in its provenance. */
export interface ClusterInferStream<O> extends InferStream<O> {
  readonly result: Promise<ClusterInferResult<O>>;
}

export interface ClusterClient {
  infer<S extends SkillV1>(skill: S | string, input: SkillInput<S>, options: SkillOptions<S> & ClusterCallOptions): Promise<ClusterInferResult<SkillOutput<S>>>;
  /**
   * Runs a text-generating skill on a worker and yields its text pieces as the worker generates them,
   * in order; `result` resolves with the full output. Aborting `signal` (or the timeout, or `close()`)
   * stops the worker's generation. The stream is bound to the first worker that answers.
   */
  stream<S extends SkillV1>(skill: S | string, input: SkillInput<S>, options: SkillOptions<S> & ClusterCallOptions): ClusterInferStream<SkillOutput<S>>;
  stats(): ClusterClientStats;
  /** One status per endpoint the cluster knows, live or not (`state: 'failed'` with the reason when no live worker serves it). */
  endpoints(): EndpointStatus[];
  /** The workers, their endpoints, load and last heartbeat, as this client sees them. */
  describe(): ClusterDescription;
  /** Rejects pending requests with `AbortedError` and stops listening for answers. */
  close(): Promise<void>;
}

/** Where a streamed request is: the worker it is bound to, and the index of the next piece. */
interface StreamState {
  readonly pieces: EventEmitter;
  worker: string | undefined;
  next: number;
}

interface Pending {
  readonly endpoint: string;
  readonly stream: StreamState | undefined;
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
  let jsm: JetStreamManager;
  let capacity: number;
  try {
    jsm = await jetstreamManager(connection);
    capacity = await ensureJobStream(jsm, options.maxQueuedPerEndpoint === undefined ? {} : { maxQueuedPerEndpoint: options.maxQueuedPerEndpoint });
  } catch (error) {
    throw brokerError(error, `setting up the job stream ${jobStream}`);
  }
  const registry = await watchRegistry({ connection, ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }) });
  const js = jetstream(connection);
  const inbox = createInbox();
  const pending = new Map<string, Pending>();
  /** Settled ids, oldest first, with whether they were answered (true) or gave up on (false). */
  const settled = new Map<string, boolean>();
  let duplicatesDropped = 0;
  let lateDropped = 0;
  let streamsBroken = 0;
  let exhaustedJobs = 0;
  /** How each pending request gives up (timeout, abort, close). */
  const gaveUp = new Map<string, (error: Error) => void>();

  const remember = (requestId: string, answered: boolean) => {
    settled.set(requestId, answered);
    if (settled.size > rememberedIds) settled.delete(settled.keys().next().value!);
  };

  /** Tells the workers to stop a request (a held job's generation, a queued request); best effort. */
  const publishAbort = (requestId: string) => {
    try {
      if (!connection.isClosed()) connection.publish(abortSubject(requestId));
    } catch {
      // The connection is gone: the worker's answer will be dropped as late.
    }
  };

  const subscription: Subscription = connection.subscribe(inbox, {
    callback: (error, message) => {
      if (error) return;
      // A result comes as a request: confirming it lets the worker ack its job (a piece needs no confirmation).
      if (message.reply) message.respond();
      let reply;
      try {
        reply = decodeReply(message.data);
      } catch {
        return;
      }
      const waiter = pending.get(reply.requestId);
      if (waiter === undefined) {
        // Pieces of a settled stream are not counted; its result is.
        if (reply.kind === 'piece') return;
        if (settled.get(reply.requestId) === true) duplicatesDropped += 1;
        else lateDropped += 1;
        return;
      }
      const { stream } = waiter;
      if (stream === undefined && reply.kind === 'piece') return; // not a streamed request: no pieces expected
      if (stream !== undefined) {
        stream.worker ??= reply.worker.id;
        let broken: string | undefined;
        if (stream.worker !== reply.worker.id) {
          broken = `worker ${reply.worker.id} answered it too, after worker ${stream.worker} had sent ${stream.next} pieces (the job was redelivered): a restarted generation cannot continue another's text`;
        } else if (reply.kind === 'piece' && reply.index !== stream.next) {
          broken = `piece ${reply.index} arrived where piece ${stream.next} was due`;
        }
        if (broken !== undefined) {
          streamsBroken += 1;
          pending.delete(reply.requestId);
          remember(reply.requestId, true);
          publishAbort(reply.requestId); // stops whichever worker still generates
          waiter.reject(new InferenceError({ endpoint: waiter.endpoint, message: `the stream of request ${reply.requestId} on endpoint ${waiter.endpoint} broke: ${broken}` }));
          return;
        }
        if (reply.kind === 'piece') {
          stream.next += 1;
          stream.pieces.emit('piece', reply.text);
          return;
        }
      }
      if (reply.kind !== 'result') return;
      pending.delete(reply.requestId);
      remember(reply.requestId, true);
      if (reply.ok) waiter.resolve({ output: reply.output, provenance: { ...reply.provenance, worker: reply.worker } });
      else waiter.reject(deserializeError(reply.error));
    },
  });

  /** The stream sequence of each published request still waiting, to find it from a JetStream advisory. */
  const bySequence = new Map<number, string>();
  // A job JetStream delivered `maxDeliver` times with no ack (its workers died or could not answer each
  // time) stays in the work-queue stream, where it would count against the endpoint's bound for good:
  // remove it, and fail its request now rather than at its timeout.
  const exhausted: Subscription = connection.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${jobStream}.>`, {
    callback: (error, message) => {
      if (error) return;
      let advisory: { stream_seq?: unknown; deliveries?: unknown };
      try {
        advisory = message.json();
      } catch {
        return;
      }
      if (typeof advisory.stream_seq !== 'number') return;
      jsm.streams.deleteMessage(jobStream, advisory.stream_seq, false).catch(() => undefined);
      const requestId = bySequence.get(advisory.stream_seq);
      const waiter = requestId === undefined ? undefined : pending.get(requestId);
      if (requestId === undefined || waiter === undefined) return;
      exhaustedJobs += 1;
      gaveUp.get(requestId)?.(
        new InferenceError({ endpoint: waiter.endpoint, message: `request ${requestId} on endpoint ${waiter.endpoint} was delivered to workers ${String(advisory.deliveries)} times without an answer (each worker died or went silent while holding it)` }),
      );
    },
  });

  /** Publishes one request as a job and awaits its answer; `stream` set: a streamed generation whose pieces go to `stream.pieces`. */
  const submit = async (skill: SkillV1 | string, input: unknown, callOptions: ClusterCallOptions, stream: StreamState | undefined): Promise<ClusterInferResult<unknown>> => {
    const { endpoint, requestId = randomUUID(), timeoutMs = defaultTimeoutMs, signal, ...skillOptions } = callOptions;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidInputError({ reason: `timeoutMs must be positive, got ${timeoutMs}` });
    if (pending.has(requestId) || settled.has(requestId)) throw new InvalidInputError({ reason: `request id ${requestId} was already used by this client` });
    if (signal?.aborted) throw new AbortedError({ reason: 'signal aborted before the request started' });
    const subject = jobSubject(endpoint);
    await registry.require(endpoint); // unknown endpoint or no live worker: a typed error, nothing published
    const job = { v: protocolVersion, requestId, skill: typeof skill === 'string' ? skill : skill.name, endpoint, input, options: skillOptions, reply: inbox };
    const payload = encode(stream === undefined ? job : { ...job, stream: true });
    assertFits(payload, connection.info?.max_payload, 'the request');
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let sequence: number | undefined;
    const answer = new Promise<ClusterInferResult<unknown>>((resolve, reject) => {
      const giveUp = (error: Error) => {
        if (!pending.delete(requestId)) return;
        remember(requestId, false);
        // The worker holding the job stops it; a job nobody took yet is removed, so that a worker
        // started later does not run it for nobody.
        publishAbort(requestId);
        if (sequence !== undefined) jsm.streams.deleteMessage(jobStream, sequence, false).catch(() => undefined);
        reject(error);
      };
      pending.set(requestId, { endpoint, stream, resolve, reject });
      timer = setTimeout(() => giveUp(new TimeoutError({ timeoutMs, message: `no worker answered request ${requestId} on endpoint ${endpoint} within ${timeoutMs} ms` })), timeoutMs);
      onAbort = () => giveUp(new AbortedError({ reason: 'signal aborted' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort(); // aborted while the registry was consulted
      gaveUp.set(requestId, giveUp);
    });
    // It may settle (timeout, abort, an answer) while the publish is awaited; it is awaited below.
    answer.catch(() => undefined);
    try {
      if (!pending.has(requestId)) return await answer; // aborted already: nothing to publish
      let ack;
      try {
        ack = await js.publish(subject, payload, { msgID: requestId });
      } catch (error) {
        const settledFirst = !pending.has(requestId);
        if (pending.delete(requestId)) remember(requestId, false);
        if (isSubjectFull(error)) throw new QueueFullError({ endpoint, capacity, cause: error });
        // The job may be stored even so (a PubAck lost on the way back): the workers drop it when they pull it.
        publishAbort(requestId);
        if (settledFirst) return await answer; // answered, timed out or aborted before the publish failed
        throw brokerError(error, `publishing request ${requestId} to endpoint ${endpoint}`);
      }
      if (ack.duplicate) {
        // Another publish with this id is within the stream's duplicate window: its answer goes to its own publisher.
        if (pending.delete(requestId)) remember(requestId, false);
        throw new InvalidInputError({ reason: `request id ${requestId} was already published within the duplicate window` });
      }
      sequence = ack.seq;
      bySequence.set(sequence, requestId);
      // Gave up (timeout, abort) before the PubAck arrived: remove the job now.
      if (!pending.has(requestId) && settled.get(requestId) === false) jsm.streams.deleteMessage(jobStream, sequence, false).catch(() => undefined);
      return await answer;
    } finally {
      if (sequence !== undefined) bySequence.delete(sequence);
      gaveUp.delete(requestId);
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    infer: (skill, input, callOptions) => submit(skill, input, callOptions, undefined) as never,
    stream(skill, input, callOptions) {
      const state: StreamState = { pieces: new EventEmitter(), worker: undefined, next: 0 };
      // Listening from now on: pieces that come before the caller iterates wait, in order.
      const pieces = on(state.pieces, 'piece', { close: ['end'] });
      const result = submit(skill, input, callOptions, state);
      result.then(
        () => state.pieces.emit('end'),
        (error: unknown) => {
          if (state.pieces.listenerCount('error') > 0) state.pieces.emit('error', error);
        },
      );
      const texts = async function* (): AsyncGenerator<string, void, undefined> {
        for await (const [text] of pieces) yield text as string;
      };
      return Object.assign(texts(), { result }) as never;
    },
    stats: () => ({ pending: pending.size, duplicatesDropped, lateDropped, streamsBroken, exhaustedJobs }),
    endpoints: () => registry.endpoints(),
    describe: () => registry.describe(),
    async close() {
      // Each pending request gives up as on an abort: the workers holding them stop them.
      for (const giveUp of [...gaveUp.values()]) giveUp(new AbortedError({ reason: 'the cluster client was closed' }));
      await registry.close();
      if (!connection.isClosed()) await Promise.all([subscription.drain(), exhausted.drain()]);
    },
  };
}
