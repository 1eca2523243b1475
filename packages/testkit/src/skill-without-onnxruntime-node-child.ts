/**
 * The child process of `testSkillWithoutOnnxruntimeNode`, started with `--import` of
 * `without-onnxruntime-node.js`: checks that onnxruntime-node cannot be resolved here and in a
 * worker thread, then serves each case through the backend and skill named in the request (their
 * `source`), and writes the outputs and provenances as JSON on stdout.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Accel, type BackendSource, type BackendV1, type ModuleExport, type SkillV1 } from '@accel/core';
import { toJsonValue } from './json-value.js';

export interface ChildRequest {
  readonly skill: ModuleExport;
  readonly backend: BackendSource;
  readonly model: string;
  /** Each request, or `example` for the skill's own example. */
  readonly cases: ReadonlyArray<{ readonly input: unknown; readonly options?: unknown } | 'example'>;
}

/** How resolving onnxruntime-node failed (`resolved` when it did not fail). */
export interface ResolutionCheck {
  readonly require: string;
  readonly import: string;
}

/** The same check in a worker thread, started as endpoint workers are (an ES module, so `--import` preloads run in it). */
const workerCheck = `
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
const message = (error) => (error instanceof Error ? error.message.split('\\n')[0] : String(error));
let required = 'resolved';
try { createRequire(process.cwd() + '/').resolve('onnxruntime-node'); } catch (error) { required = message(error); }
const imported = await import('onnxruntime-node').then(() => 'resolved', message);
parentPort.postMessage({ require: required, import: imported });
`;

async function checkHere(): Promise<ResolutionCheck> {
  const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error));
  let required = 'resolved';
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch (error) {
    required = message(error);
  }
  const imported = await import('onnxruntime-node' as string).then(() => 'resolved', message);
  return { require: required, import: imported };
}

function checkInWorker(): Promise<ResolutionCheck> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(workerCheck)}`));
    worker.once('message', (result: ResolutionCheck) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function importExport<T>(source: ModuleExport): Promise<T> {
  const module = (await import(source.module)) as Record<string, unknown>;
  const value = module[source.exportName];
  if (value === undefined) throw new Error(`${source.module} has no export ${source.exportName}`);
  return value as T;
}

const request = JSON.parse(process.argv[2]!) as ChildRequest;
const resolution = { thread: await checkHere(), worker: await checkInWorker() };
const createBackend = await importExport<(options?: unknown) => BackendV1>(request.backend);
const skill = await importExport<SkillV1>(request.skill);
const backend = createBackend(request.backend.options);
const accel = new Accel({ backends: [backend] });
try {
  accel.addEndpoint({ skill, model: request.model, backend: backend.name });
  const results = [];
  for (const entry of request.cases) {
    const { input, options } = entry === 'example' ? skill.example : entry;
    const { output, provenance } = await accel.infer(skill, input, options as never);
    results.push({ output: toJsonValue(output), provenance: toJsonValue(provenance) });
  }
  process.stdout.write(JSON.stringify({ resolution, results }));
} finally {
  await accel.dispose();
}
