import { hostname } from 'node:os';
import { InvalidInputError, isDtype, type Accel, type SkillV1 } from '@accel/core';
import type * as ClusterPackage from '@accel/cluster';
import { globalFlags, parseCommandLine, type FlagTable } from '../command-line.js';
import { createDownloadProgress, type DownloadProgressOutput } from '../download-progress.js';
import { importOptional, type ImportModule } from '../optional-package.js';
import {
  assertSkillsLoaded,
  catchStopSignals,
  createConfigAccel,
  endpointConfigFlags,
  endpointOptions,
  loadSkills,
  messageOf,
  modelFlagsHelp,
  natsUrlOf,
  oneEndpointHelp,
  readConfig,
  watchEndpointLoads,
  withModelFlags,
  type ServerModule,
  type Values,
} from './endpoint-config.js';

/** Flags of `accel worker`. */
export const workerFlags = {
  ...globalFlags,
  ...endpointConfigFlags,
  id: { type: 'string' },
} as const satisfies FlagTable;

/** Where the texts of `accel worker --help`'s options start. */
const workerHelpWidth = 16;

export const workerHelp = `usage:
  accel worker --config workers.json --nats nats://host:4222    serve a config's endpoints to a cluster
  accel worker <skill> --nats URL [--model M] [--backend B]      serve one endpoint of an installed skill

A worker of an accel cluster on NATS JetStream (@accel/cluster): it loads the config's endpoints on
this machine's backends (printing each one's load), then pulls their jobs from the broker — at most
an endpoint's maxBatchSize at a time, so they batch here — answers each, and acks it only once the
answer is out (a worker that dies loses nothing: its jobs go to another worker). It heartbeats into
the broker, so gateways (accel serve --nats) know which endpoints it serves. SIGTERM or SIGINT: it
pulls no more jobs, answers and acks the ones it holds, leaves the cluster, releases the models and
exits 0; a second signal exits at once.

config (JSON): the same file as accel serve's (accel serve --help); the "server" section is ignored,
every endpoint loads at start ("lazy" is ignored), and an optional "cluster" section sets:
  { "nats": "nats://host:4222", "ackWaitMs": 5000, "maxDeliver": 5, "heartbeatMs": 1000,
    "maxQueuedPerEndpoint": 1024 }
Every worker and gateway of one cluster should use the same ackWaitMs, maxDeliver and
maxQueuedPerEndpoint; heartbeatMs may differ (each heartbeat carries its worker's). An endpoint's "name" is what clients of the gateway send as "model".

options:
  --config      the config file
  --nats        the broker's URL, e.g. nats://10.0.0.5:4222; several, comma-separated, for a NATS
                cluster (also $ACCEL_NATS_URL, then the config's cluster.nats); reconnects forever
  --id          this worker's name in heartbeats and in results' provenance.worker (default <host>:<pid>:<random>)
${modelFlagsHelp(workerHelpWidth)}${oneEndpointHelp(workerHelpWidth, "the endpoint's name (default: the skill's name)")}`;

export interface WorkerIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: DownloadProgressOutput;
}

type ClusterModule = typeof ClusterPackage;

/** The registry's endpoints that loaded (a failed one is reported and left out: no worker should take jobs it cannot run). */
function loadedEndpoints(accel: Accel, added: readonly { id: string; maxInFlight: number | undefined }[], io: WorkerIo) {
  return added.filter(({ id }) => {
    const statuses = accel.status(id);
    if (statuses.some((status) => status.state === 'ready')) return true;
    io.stderr(`accel worker: not serving ${id}: it did not load (see above)`);
    return false;
  });
}

/**
 * `accel worker`: loads the config's endpoints, serves them to the cluster on the broker until
 * SIGTERM or SIGINT, then drains (answers and acks the jobs it holds) and exits 0.
 */
export async function workerCommand(argv: readonly string[], io: WorkerIo, load?: ImportModule): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, workerFlags, 'accel worker');
  if (values.help === true) {
    io.stdout(workerHelp);
    return 0;
  }
  if (positionals.length > 2) throw new InvalidInputError({ reason: `accel worker takes one skill name at most (got ${positionals.slice(1).join(' ')})` });
  if (values.dtype !== undefined && !isDtype(values.dtype)) throw new InvalidInputError({ reason: `unknown dtype ${String(values.dtype)}` });
  const cluster = await importOptional<ClusterModule>('@accel/cluster', 'accel worker', load);
  const server = (await import('@accel/server')) as ServerModule;
  const { config: fileConfig, source } = await readConfig(server, values as Values, positionals[1], 'accel worker');
  const config = withModelFlags(fileConfig, values as Values);
  const natsUrl = natsUrlOf(config, values as Values);
  if (natsUrl === undefined) throw new InvalidInputError({ reason: 'accel worker needs a NATS broker: --nats nats://host:4222, $ACCEL_NATS_URL, or the config\'s cluster.nats' });
  if (config.endpoints.length === 0) throw new InvalidInputError({ reason: `${source}: endpoints: a worker needs at least one endpoint to serve` });
  const skills = await loadSkills(config);
  assertSkillsLoaded(config, skills, source);

  // Signals are caught before anything loads, so a SIGTERM at any moment ends cleanly.
  const signals = catchStopSignals('accel worker', io.stderr);
  const progress = createDownloadProgress(io.progress);
  let accel: Accel | undefined;
  let connection: Awaited<ReturnType<ClusterModule['connectToBroker']>> | undefined;
  try {
    // The broker first: a wrong URL fails at once, not after the models loaded.
    connection = await cluster.connectToBroker(natsUrl, { name: `accel worker ${hostname()}:${process.pid}`, onStatus: (line) => io.stderr(`accel worker: ${line}`) });
    accel = await createConfigAccel(config, skills, (event) => progress.update(event));
    const registry = accel;
    const added = config.endpoints.map((endpoint) => {
      const { lazy: _lazy, ...options } = endpointOptions(endpoint, skills.get(endpoint.skill) as SkillV1);
      // At most one batch held per endpoint: a dead worker strands no more than that.
      return { id: registry.addEndpoint(options), maxInFlight: endpoint.maxBatchSize };
    });
    const loads = watchEndpointLoads(() => registry.status(), io);
    const loaded = await Promise.race([accel.init().then(() => true), signals.received.then(() => false)]);
    loads.report();
    loads.stop();
    progress.finish();
    if (!loaded) {
      io.stderr('accel worker: stopped while loading');
      return 0;
    }
    const served = loadedEndpoints(accel, added, io);
    if (served.length === 0) throw new InvalidInputError({ reason: `${source}: no endpoint loaded; nothing to serve` });

    const { ackWaitMs, maxDeliver, heartbeatMs, maxQueuedPerEndpoint } = config.cluster ?? {};
    let lastWarning = '';
    const worker = await cluster.startClusterWorker({
      connection,
      accel,
      endpoints: served.map(({ id, maxInFlight }) => (maxInFlight === undefined ? id : { id, maxInFlight })),
      ...(values.id === undefined ? {} : { id: values.id as string }),
      ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
      ...(maxDeliver === undefined ? {} : { maxDeliver }),
      ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
      ...(maxQueuedPerEndpoint === undefined ? {} : { maxQueuedPerEndpoint }),
      // While the broker is away each pull fails the same way: one line per new problem, not one per second.
      onError: (error: unknown) => {
        const warning = messageOf(error);
        if (warning !== lastWarning) io.stderr(`accel worker: warning: ${warning}`);
        lastWarning = warning;
      },
    });
    io.stdout(`accel worker: serving ${served.map(({ id }) => id).join(', ')} on ${natsUrl} as ${worker.identity.id}`);

    const signal = await signals.received;
    io.stderr(`accel worker: ${signal}: draining (no new jobs; the ${worker.stats().held} held are answered and acked)`);
    await worker.stop();
    await connection.drain();
    await accel.dispose();
    accel = undefined;
    const { answered, redelivered, aborted } = worker.stats();
    io.stderr(`accel worker: stopped (answered ${answered}, aborted by their client ${aborted}, redelivered jobs received ${redelivered})`);
    return 0;
  } finally {
    signals.release();
    if (connection !== undefined && !connection.isClosed()) await connection.drain().catch(() => undefined);
    await accel?.dispose();
  }
}
