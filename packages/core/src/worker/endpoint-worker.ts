import { parentPort } from 'node:worker_threads';
import type { BackendV1 } from '../backend/v1/backend-v1.js';
import { createLoadContext } from '../model-source/create-load-context.js';
import type { ItemControl, LoadedSkillV1 } from '../skill/v1/loaded-skill-v1.js';
import type { SkillV1 } from '../skill/v1/skill-v1.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { serializeError } from './serialize-error.js';

/**
 * The worker side of worker isolation: it rebuilds skills and backends from their module
 * exports, loads models, runs batches and streams text back. One worker may host several
 * endpoints; it runs one batch at a time.
 */
const port = parentPort!;
/** Each hosted endpoint's model, its load context's file list (it grows when the skill opens a session on demand) and how much of that list was sent. */
const loaded = new Map<string, { readonly model: LoadedSkillV1<unknown, unknown>; readonly files: readonly string[]; sent: number }>();
const abortControllers = new Map<number, (item: number) => AbortController>();
const backends = new Map<string, BackendV1>();

const send = (message: FromWorker) => port.postMessage(message);

async function importExport<T>(module: string, exportName: string): Promise<T> {
  const imported = (await import(module)) as Record<string, unknown>;
  const value = imported[exportName];
  if (value === undefined) throw new Error(`${module} has no export ${exportName}`);
  return value as T;
}

async function backendFor(message: Extract<ToWorker, { type: 'load' }>): Promise<BackendV1> {
  const key = JSON.stringify([message.backend, message.threads]);
  let backend = backends.get(key);
  if (backend === undefined) {
    const factory = await importExport<(options?: Record<string, unknown>) => BackendV1>(message.backend.module, message.backend.exportName);
    backend = factory({ ...message.backend.options, ...(message.threads === undefined ? {} : { threads: message.threads }) });
    backends.set(key, backend);
  }
  return backend;
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  try {
    // Both module graphs load at once: one's files are read while the other's compile.
    const [skill, backend] = await Promise.all([importExport<SkillV1>(message.skill.module, message.skill.exportName), backendFor(message)]);
    const tracked = createLoadContext({
      model: message.model,
      backend,
      device: message.device,
      dtype: message.dtype,
      contextLength: message.contextLength,
      threads: message.threads,
      preload: message.preload,
    });
    try {
      loaded.set(message.endpoint, { model: await skill.doLoad(tracked.context), files: tracked.files, sent: tracked.files.length });
    } catch (error) {
      await Promise.allSettled(tracked.sessions.map((session) => session.release()));
      throw backend.classifyError?.(error, message.device) ?? error;
    }
    send({ type: 'loaded', endpoint: message.endpoint, files: tracked.files });
  } catch (error) {
    send({ type: 'load-failed', endpoint: message.endpoint, error: serializeError(error) });
  }
}

/** The endpoint's files when a session was opened since they were last sent, else nothing. */
function newFiles(endpoint: string): { files?: readonly string[] } {
  const entry = loaded.get(endpoint);
  if (entry === undefined || entry.sent === entry.files.length) return {};
  entry.sent = entry.files.length;
  return { files: [...entry.files] };
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const model = loaded.get(message.endpoint)?.model;
  // One AbortController per item, made when the skill reads the item's signal or an abort
  // arrives: most skills never look, and 32 controllers cost a tenth of a tiny model's batch.
  const controllers = new Array<AbortController | undefined>(message.items.length);
  const controllerFor = (item: number): AbortController => (controllers[item] ??= new AbortController());
  abortControllers.set(message.batch, controllerFor);
  try {
    if (model === undefined) throw new Error(`endpoint ${message.endpoint} is not loaded in this worker`);
    const controls: ItemControl[] = message.items.map((_, item) => ({
      get signal() {
        return controllerFor(item).signal;
      },
      emit: (text: string) => {
        if (message.streaming?.[item] !== false) send({ type: 'text', batch: message.batch, item, text });
      },
      streaming: message.streaming?.[item] !== false,
    }));
    const outcomes = await model.run(message.items, controls);
    send({
      type: 'result',
      batch: message.batch,
      outcomes: outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false as const, error: serializeError(outcome.error) })),
      ...newFiles(message.endpoint),
    });
  } catch (error) {
    send({ type: 'run-failed', batch: message.batch, error: serializeError(error), ...newFiles(message.endpoint) });
  } finally {
    abortControllers.delete(message.batch);
  }
}

async function unload(endpoint: string): Promise<void> {
  const entry = loaded.get(endpoint);
  loaded.delete(endpoint);
  await entry?.model.dispose().catch(() => undefined);
  send({ type: 'unloaded', endpoint });
}

/**
 * Imports an endpoint's modules before its load arrives. Failures are left to the load, which
 * imports the same modules again and reports what fails.
 */
function prepare(message: Extract<ToWorker, { type: 'prepare' }>): void {
  for (const source of [message.skill, message.backend]) void import(source.module).catch(() => undefined);
}

let chain = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    abortControllers.get(message.batch)?.(message.item).abort();
    return;
  }
  if (message.type === 'prepare') {
    prepare(message);
    return;
  }
  chain = chain.then(() => (message.type === 'load' ? load(message) : message.type === 'run' ? run(message) : unload(message.endpoint)));
});
