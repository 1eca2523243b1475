import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, type Accel, type BackendV1, type SkillV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { createClusterClient, startClusterWorker, type ClusterClient, type ClusterClientOptions, type ClusterWorker, type ClusterWorkerOptions } from '../src/index.js';
import { findNatsServer, startNatsServer, type NatsServer } from './nats-server.js';

type EndpointOptions = Parameters<Accel['addEndpoint']>[0];

export { natsSuite } from './nats-server.js';
export { until } from './until.js';

/** Where the suites forge their tiny models. */
export const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

/** The cpu backend on one thread, as every suite's registries use it. */
export const cpuBackend = (): BackendV1 => createCpuBackend({ threads: 1 });

/** Resolves with the error `promise` rejects with, or undefined when it resolves. */
export const caught = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

export interface ClusterHarnessOptions {
  /** The forged model (hub id) the reference registry and the workers run. */
  readonly hubId: string;
  /** The skill of the reference endpoint and of the workers' endpoints. */
  readonly skill: SkillV1;
  /** The client's options besides its connection. */
  readonly client?: Omit<ClusterClientOptions, 'connection'>;
  /** Opens the client's connection (default: a plain connection to the server). */
  readonly clientConnection?: () => Promise<NatsConnection>;
}

export interface HarnessWorkerOptions {
  /** The worker's endpoint (and the endpoint's id in its registry). */
  readonly endpoint: string;
  /** Jobs held at once. */
  readonly maxInFlight: number;
  /** Default: the cpu backend on one thread. */
  readonly backend?: BackendV1;
  /** addEndpoint options besides id, skill and model. */
  readonly endpointOptions?: Omit<EndpointOptions, 'id' | 'skill' | 'model'>;
  /** Loads the registry's endpoint (state 'ready') before the worker starts. */
  readonly init?: boolean;
  /** Default: a new plain connection. */
  readonly connection?: NatsConnection;
  /** startClusterWorker's options besides connection, accel and endpoints. */
  readonly worker?: Omit<ClusterWorkerOptions, 'connection' | 'accel' | 'endpoints'>;
}

export interface HarnessWorker {
  readonly worker: ClusterWorker;
  readonly accel: Accel;
  readonly connection: NatsConnection;
}

export interface ClusterHarness {
  readonly server: NatsServer;
  /** The forged model's folder. */
  readonly model: string;
  /** An in-process registry serving the model: what every remote answer must equal. */
  readonly reference: Accel;
  readonly client: ClusterClient;
  /** Every connection opened through `connection` (closed after the suite). */
  readonly connections: readonly NatsConnection[];
  /** A new connection to the server (plain, or opened by `open`), closed after the suite. */
  connection(open?: (url: string) => Promise<NatsConnection>): Promise<NatsConnection>;
  /** A registry on one thread over `backends`, disposed after the suite. */
  registry(backends?: readonly BackendV1[]): Accel;
  /** A worker serving the model as `endpoint` from its own registry; stopped after the suite. */
  startWorker(options: HarnessWorkerOptions): Promise<HarnessWorker>;
}

/**
 * What every suite on nats-server needs, set up in `beforeAll` and torn down in `afterAll` (call it
 * inside the suite): nats-server on a free loopback port, the forged model with an in-process
 * reference, a cluster client, and the connections, registries and workers the tests open.
 */
export function useClusterHarness(options: ClusterHarnessOptions): ClusterHarness {
  let server: NatsServer | undefined;
  let model = '';
  let reference: Accel | undefined;
  let client: ClusterClient | undefined;
  const connections: NatsConnection[] = [];
  const registries: Accel[] = [];
  const workers: ClusterWorker[] = [];

  const harness: ClusterHarness = {
    get server() {
      return server!;
    },
    get model() {
      return model;
    },
    get reference() {
      return reference!;
    },
    get client() {
      return client!;
    },
    connections,
    async connection(open = (url) => connect({ servers: url })) {
      const connection = await open(server!.url);
      connections.push(connection);
      return connection;
    },
    registry(backends = [cpuBackend()]) {
      const accel = createAccel({ backends: [...backends], threads: 1 });
      registries.push(accel);
      return accel;
    },
    async startWorker({ endpoint, maxInFlight, backend, endpointOptions, init = false, connection, worker: workerOptions }) {
      const accel = harness.registry(backend === undefined ? undefined : [backend]);
      accel.addEndpoint({ ...endpointOptions, id: endpoint, skill: options.skill, model });
      if (init) await accel.init();
      const workerConnection = connection ?? (await harness.connection());
      const worker = await startClusterWorker({ ...workerOptions, connection: workerConnection, accel, endpoints: [{ id: endpoint, maxInFlight }] });
      workers.push(worker);
      return { worker, accel, connection: workerConnection };
    },
  };

  beforeAll(async () => {
    server = await startNatsServer(findNatsServer()!);
    model = (await forgeModel(options.hubId, { root: modelRoot })).directory;
    reference = harness.registry();
    reference.addEndpoint({ skill: options.skill, model });
    client = await createClusterClient({ ...options.client, connection: await (options.clientConnection ?? (() => harness.connection()))() });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((worker) => worker.stop().catch(() => undefined)));
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    await Promise.all(registries.map((accel) => accel.dispose()));
    await server?.stop();
  });

  return harness;
}
