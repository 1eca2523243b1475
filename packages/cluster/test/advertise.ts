import type { Accel } from '@accel/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { startHeartbeat, type Heartbeat } from '../src/index.js';

/**
 * Registers `endpoint` in the cluster's registry with a real heartbeat, as a worker that pulls no
 * jobs: clients accept requests for it (they are published and wait in the stream), which tests of
 * the stream itself need (a job taken by hand, a full queue, a timeout). The status advertised is
 * `accel`'s first endpoint's, renamed.
 */
export async function advertiseEndpoint(connection: NatsConnection, endpoint: string, accel: Accel, heartbeatMs?: number): Promise<Heartbeat> {
  const identity = { id: `advertiser-${endpoint}`, host: 'test', pid: process.pid };
  const startedAt = new Date().toISOString();
  return startHeartbeat({
    connection,
    identity,
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    describe: () => {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { probe, deviceInfo, ...status } = accel.status()[0]!;
      return { worker: identity, startedAt, endpoints: [{ id: endpoint, skill: status.skill, model: status.model, maxInFlight: 1, status: { ...status, id: endpoint } }], held: 0, answered: 0, load: [] };
    },
  });
}
