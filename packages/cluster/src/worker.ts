import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InvalidInputError, serializeError, type Accel, type InferResult } from '@accel/core';
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureJobConsumer, ensureJobStream } from './jobs-stream.js';
import { assertFits, decodeJob, encode, jobStream, protocolVersion, type JobMessage, type ResultMessage, type WorkerIdentity } from './protocol.js';

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
}

export interface ClusterWorker {
  readonly identity: WorkerIdentity;
  stats(): ClusterWorkerStats;
  /** Stops pulling, answers and acks the jobs it holds, then resolves. The connection stays open. */
  stop(): Promise<void>;
}

/** Longest a pull request waits on the broker before the worker issues the next (the client's minimum is 1 s). */
const pullExpiresMs = 1000;

/**
 * Starts a worker: for each endpoint, pulls jobs from its durable consumer (never holding more than
 * `maxInFlight`, so concurrent jobs batch in the local registry), runs each through
 * `accel.infer`, publishes the result or typed error to the job's reply subject, and only then acks.
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
  await ensureJobStream(jsm);
  const js = jetstream(connection);
  const consumers = await Promise.all(
    endpoints.map(async (endpoint) => ({ ...endpoint, consumer: await js.consumers.get(jobStream, await ensureJobConsumer(jsm, endpoint.id, ackWaitMs, maxDeliver)) })),
  );

  let stopping = false;
  let answered = 0;
  let redelivered = 0;
  const held = new Set<Promise<void>>();
  const report = (error: unknown) => options.onError?.(error);

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
      let result: ResultMessage;
      try {
        const { output, provenance } = (await accel.infer(job.skill, job.input as never, { ...job.options, endpoint } as never)) as InferResult<unknown>;
        result = { v: protocolVersion, requestId: job.requestId, worker: identity, ok: true, output, provenance };
      } catch (error) {
        result = { v: protocolVersion, requestId: job.requestId, worker: identity, ok: false, error: serializeError(error) };
      }
      let payload: Uint8Array;
      try {
        payload = encode(result);
        assertFits(payload, connection.info?.max_payload, 'the result');
      } catch (error) {
        payload = encode({ v: protocolVersion, requestId: job.requestId, worker: identity, ok: false, error: serializeError(error) });
      }
      connection.publish(job.reply, payload);
      // Ack only once the result is out (the broker handles one connection's messages in order, and
      // ackAck waits for its confirmation): a worker that dies before this leaves the job to be redelivered.
      await message.ackAck();
      answered += 1;
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

  const loops = consumers.map((endpoint) => pull(endpoint));
  let stopped: Promise<void> | undefined;
  return {
    identity,
    stats: () => ({ held: held.size, answered, redelivered }),
    stop() {
      stopping = true;
      stopped ??= Promise.all(loops).then(() => Promise.all(held)).then(() => undefined);
      return stopped;
    },
  };
}
