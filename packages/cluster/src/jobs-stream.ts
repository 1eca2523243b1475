import { AckPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { consumerName, jobStream, jobSubject, jobSubjectPrefix } from './protocol.js';

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}

/** Creates the work-queue stream if it does not exist yet (clients and workers both call it). */
export async function ensureJobStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(jobStream);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.streams.add({ name: jobStream, subjects: [`${jobSubjectPrefix}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  } catch (error) {
    // Another process created it in between.
    await jsm.streams.info(jobStream).catch(() => Promise.reject(error));
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
