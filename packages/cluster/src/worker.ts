import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InvalidInputError, serializeError, type Accel, type InferResult } from '@accel/core';
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureJobConsumer, ensureJobStream } from './jobs-stream.js';
import { heartbeatEndpoints, machineLoad, startHeartbeat } from './registry.js';
import {
  abortSubject,
  abortSubjectPrefix,
  assertFits,
  decodeJob,
  encode,
  jobStream,
  protocolVersion,
  type JobMessage,
  type ReplyMessage,
  type ResultMessage,
  type WorkerIdentity,
} from './protocol.js';

/** One endpoint a worker serves: its id in the worker's registry, and how many jobs it may hold at once. */
export interface ClusterWorkerEndpoint {
  readonly id: string;
  /**
   * Jobs pulled and held at once for this endpoint (running or waiting in its batch queue). Default:
   * the skill's `maxBatchSize` limit; set it to the endpoint's own `maxBatchSize` when that is smaller,
   * so that a worker that dies strands no more jobs than one batch.
   */
  readonly maxInFlight?: number;
}

export interface ClusterWorkerOptions {
  /** A connection to the NATS server (JetStream enabled); the worker does not close it. */
  readonly connection: NatsConnection;
  /** The registry whose endpoints run the jobs. */
  readonly accel: Accel;
  /** Endpoint ids already added to `accel`; each is served from the subject `accel.jobs.<id>`. */
  readonly endpoints: readonly (string | ClusterWorkerEndpoint)[];
  /** Redelivery delay of a job whose worker went silent (the consumer's `ack_wait`). Default 5000 ms. */
  readonly ackWaitMs?: number;
  /** Deliveries of one job before JetStream gives up on it (the consumer's `max_deliver`). Default 5. */
  readonly maxDeliver?: number;
  /** The stream's bound per endpoint (jobs waiting plus held); give clients and workers the same value. Default 1024. */
  readonly maxQueuedPerEndpoint?: number;
  /** Interval of the worker's heartbeat in the KV bucket `accel_workers`; gateways must use the same value. Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** Names this worker in every result's provenance. Default `<host>:<pid>:<random>`. */
  readonly id?: string;
  /** Receives errors the worker cannot hand to a client (a failed ack or publish). Default: none. */
  readonly onError?: (error: unknown) => void;
}

export interface ClusterWorkerStats {
  /** Jobs pulled and not yet answered and acked. */
  readonly held: number;
  /** Jobs answered (result or typed error) and acked. */
  readonly answered: number;
  /** Jobs received that JetStream had delivered before (to this or another worker). */
  readonly redelivered: number;
  /** Jobs stopped by their client's abort (`accel.abort.<request id>`): acked without an answer. */
  readonly aborted: number;
  /** Jobs terminated on their last delivery because no client confirmed their answer (the client is gone). */
  readonly unconfirmed: number;
}

export interface ClusterWorker {
  readonly identity: WorkerIdentity;
  stats(): ClusterWorkerStats;
  /** Stops pulling, answers and acks the jobs it holds, then resolves. The connection stays open. */
  stop(): Promise<void>;
}

/** A reply without the fields every reply of one job shares. */
type ReplyBody<T> = T extends unknown ? Omit<T, 'v' | 'requestId' | 'worker'> : never;

/** Longest a pull request waits on the broker before the worker issues the next (the client's minimum is 1 s). */
const pullExpiresMs = 1000;
/** How long an abort for a job this worker does not hold is remembered (the stream's duplicate window), and how many at most. */
const earlyAbortMs = 120_000;
const earlyAbortsKept = 10_000;

/**
 * Starts a worker: for each endpoint, pulls jobs from its durable consumer (never holding more than
 * `maxInFlight`, so concurrent jobs batch in the local registry), runs each through `accel.infer`
 * (or `accel.stream` for a `stream` job, sending each text piece as it is generated), publishes the
 * result or typed error to the job's reply subject, and only then acks. A client's abort
 * (`accel.abort.<request id>`) aborts the held job's `signal`: a queued request leaves its batch
 * queue, a generation stops at its next token; the job is then acked without an answer.
 */
export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const { connection, accel } = options;
  const ackWaitMs = options.ackWaitMs ?? 5000;
  const maxDeliver = options.maxDeliver ?? 5;
  if (!Number.isFinite(ackWaitMs) || ackWaitMs < 100) throw new InvalidInputError({ reason: `ackWaitMs must be at least 100, got ${ackWaitMs}` });
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw new InvalidInputError({ reason: `maxDeliver must be a positive integer, got ${maxDeliver}` });
  if (options.endpoints.length === 0) throw new InvalidInputError({ reason: 'a worker needs at least one endpoint' });
  const identity: WorkerIdentity = { id: options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, host: hostname(), pid: process.pid };
  const endpoints = options.endpoints.map((entry) => {
    const { id, maxInFlight } = typeof entry === 'string' ? { id: entry, maxInFlight: undefined } : entry;
    const [status] = accel.status(id); // throws EndpointNotFoundError for an id the registry lacks
    const limit = maxInFlight ?? accel.skill(status!.skill)?.limits.maxBatchSize ?? 1;
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError({ reason: `maxInFlight of ${id} must be a positive integer, got ${limit}` });
    return { id, limit };
  });
  const jsm = await jetstreamManager(connection);
  await ensureJobStream(jsm, options.maxQueuedPerEndpoint === undefined ? {} : { maxQueuedPerEndpoint: options.maxQueuedPerEndpoint });
  const js = jetstream(connection);
  const consumers = await Promise.all(
    endpoints.map(async (endpoint) => ({ ...endpoint, consumer: await js.consumers.get(jobStream, await ensureJobConsumer(jsm, endpoint.id, ackWaitMs, maxDeliver)) })),
  );

  let stopping = false;
  let answered = 0;
  let redelivered = 0;
  let aborted = 0;
  let unconfirmed = 0;
  const held = new Set<Promise<void>>();
  const report = (error: unknown) => options.onError?.(error);

  /** The held jobs' abort controllers, by their abort subject, with whether their client aborted them. */
  const running = new Map<string, Set<{ readonly controller: AbortController; abortedByClient: boolean }>>();
  /** Aborts that came before their job (or after it settled), by subject, with when they expire. */
  const earlyAborts = new Map<string, number>();
  const abortSubscription = connection.subscribe(`${abortSubjectPrefix}.>`, {
    callback: (error, message) => {
      if (error) return;
      const jobs = running.get(message.subject);
      if (jobs !== undefined) {
        for (const job of jobs) {
          job.abortedByClient = true;
          job.controller.abort();
        }
        return;
      }
      // The job may still be on its way to this worker (or to a worker that has not pulled it yet).
      const now = Date.now();
      earlyAborts.delete(message.subject);
      earlyAborts.set(message.subject, now + earlyAbortMs);
      for (const [subject, expires] of earlyAborts) {
        if (expires > now && earlyAborts.size <= earlyAbortsKept) break;
        earlyAborts.delete(subject);
      }
    },
  });
  const abortedEarly = (subject: string) => {
    const expires = earlyAborts.get(subject);
    return expires !== undefined && expires > Date.now();
  };

  /**
   * Sends a result as a request that the client confirms: core NATS drops a message nobody listens
   * to, so a result published while the client's connection was down would be lost with its job
   * acked. False when no client confirmed it (no responders, a timeout, a broken connection).
   */
  const delivered = async (message: JsMsg, subject: string, payload: Uint8Array): Promise<boolean> => {
    try {
      message.working(); // a full ack_wait for the round trip
      // "No responders" comes back at once; the timeout only bounds a busy client or a link lost meanwhile (working() keeps the job).
      await connection.request(subject, payload, { timeout: Math.max(5000, ackWaitMs) });
      return true;
    } catch (error) {
      report(error);
      return false;
    }
  };

  const answer = async (message: JsMsg, endpoint: string): Promise<void> => {
    if (message.redelivered) redelivered += 1;
    // Keeps the job ours while it waits for a batch or runs: ack_wait restarts at each working().
    const keepAlive = setInterval(() => {
      try {
        message.working();
      } catch (error) {
        report(error); // the connection is gone: the job will be redelivered to another worker
      }
    }, Math.max(50, Math.floor(ackWaitMs / 3)));
    try {
      let job: JobMessage;
      try {
        job = decodeJob(message.data);
      } catch (error) {
        report(error);
        message.term(); // not ours to answer: no reply subject we can trust
        return;
      }
      const subject = abortSubject(job.requestId);
      const entry = { controller: new AbortController(), abortedByClient: abortedEarly(subject) };
      const jobs = running.get(subject) ?? new Set();
      jobs.add(entry);
      running.set(subject, jobs);
      const reply = (body: ReplyBody<ReplyMessage>): Uint8Array => encode({ v: protocolVersion, requestId: job.requestId, worker: identity, ...body } as ReplyMessage);
      let result: Uint8Array | undefined;
      try {
        if (!entry.abortedByClient) {
          const callOptions = { ...job.options, endpoint, signal: entry.controller.signal } as never;
          let answerOf: ReplyBody<ResultMessage>;
          try {
            let done: InferResult<unknown>;
            if (job.stream === true) {
              const stream = accel.stream(job.skill, job.input as never, callOptions);
              stream.result.catch(() => undefined); // awaited below, after the pieces
              let index = 0;
              for await (const text of stream) {
                // In order: one connection's messages reach one subscriber in the order they were published.
                connection.publish(job.reply, reply({ kind: 'piece', index, text }));
                index += 1;
              }
              done = (await stream.result) as InferResult<unknown>;
            } else {
              done = (await accel.infer(job.skill, job.input as never, callOptions)) as InferResult<unknown>;
            }
            answerOf = { kind: 'result', ok: true, output: done.output, provenance: done.provenance };
          } catch (error) {
            // A piece that could not go out leaves a generation running: stop it (a no-op once the request has settled).
            entry.controller.abort();
            if (connection.isClosed()) throw error; // the job will be redelivered to another worker
            answerOf = { kind: 'result', ok: false, error: serializeError(error) };
          }
          try {
            result = reply(answerOf);
            assertFits(result, connection.info?.max_payload, 'the result');
          } catch (error) {
            result = reply({ kind: 'result', ok: false, error: serializeError(error) });
          }
        }
      } finally {
        jobs.delete(entry);
        if (jobs.size === 0 && running.get(subject) === jobs) running.delete(subject);
      }
      // The client gave up on this request (abort, timeout, close): it would drop the answer, so none is sent.
      if (!entry.abortedByClient && !(await delivered(message, job.reply, result!))) {
        // No client confirmed it (its connection is down, e.g. while the broker restarts): not acked, so the job
        // is run again once redelivered and its client, back by then, gets that answer (a repeat is dropped there).
        // On its last delivery it is terminated instead: JetStream keeps a work-queue job whose deliveries ran
        // out, where it would count against the endpoint's bound for good (its client is gone or has timed out).
        try {
          if (message.info.deliveryCount >= maxDeliver) {
            message.term(`no client confirmed the answer in ${maxDeliver} deliveries`);
            unconfirmed += 1;
          } else message.nak(ackWaitMs);
        } catch (error) {
          report(error); // redelivered after ack_wait all the same
        }
        return;
      }
      // Ack only once the result is out (the broker handles one connection's messages in order, and
      // ackAck waits for its confirmation): a worker that dies before this leaves the job to be redelivered.
      await message.ackAck();
      if (entry.abortedByClient) aborted += 1;
      else answered += 1;
    } catch (error) {
      report(error);
    } finally {
      clearInterval(keepAlive);
    }
  };

  const pull = async (endpoint: (typeof consumers)[number]): Promise<void> => {
    const mine = new Set<Promise<void>>();
    let slotFreed: (() => void) | undefined;
    while (!stopping && !connection.isClosed()) {
      const free = endpoint.limit - mine.size;
      if (free === 0) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      let batch: ConsumerMessages;
      try {
        batch = await endpoint.consumer.fetch({ max_messages: free, expires: pullExpiresMs });
      } catch (error) {
        if (connection.isClosed()) break;
        report(error);
        await new Promise((resolve) => setTimeout(resolve, pullExpiresMs));
        continue;
      }
      // The fetch ends after `free` messages or when it expires: this worker never holds more than its limit.
      try {
        for await (const message of batch) {
          const job: Promise<void> = answer(message, endpoint.id).finally(() => {
            mine.delete(job);
            held.delete(job);
            slotFreed?.();
            slotFreed = undefined;
          });
          mine.add(job);
          held.add(job);
        }
      } catch (error) {
        if (!connection.isClosed()) report(error);
      }
    }
    await Promise.all(mine);
  };

  // Registered before pulling: gateways see the worker when this resolves (see registry.ts).
  const startedAt = new Date().toISOString();
  const describe = () => ({ worker: identity, startedAt, endpoints: heartbeatEndpoints(accel, endpoints), held: held.size, answered, load: machineLoad(), draining: stopping });
  const heartbeat = await startHeartbeat({ connection, identity, describe, onError: report, ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }) });
  const loops = consumers.map((endpoint) => pull(endpoint));
  let stopped: Promise<void> | undefined;
  return {
    identity,
    stats: () => ({ held: held.size, answered, redelivered, aborted, unconfirmed }),
    stop() {
      stopping = true;
      if (stopped === undefined) heartbeat.beat().catch(report); // gateways stop counting a draining worker at once
      // Aborts still reach the held jobs while they drain.
      stopped ??= Promise.all(loops)
        .then(() => Promise.all(held))
        .then(() => heartbeat.stop().catch(report))
        .then(() => (connection.isClosed() ? undefined : abortSubscription.unsubscribe()));
      return stopped;
    },
  };
}
