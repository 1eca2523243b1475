/**
 * The registry in a dedicated Web Worker: the page's main thread only decodes media and posts
 * messages, so inference never blocks it. Endpoints run inline here (core's worker isolation
 * rebuilds skills in node:worker_threads by module name, which a bundled page cannot do).
 */
import { createWasmBackend } from '@accel/backend-wasm';
import { createAccel, serializeError, type Accel, type SkillV1 } from '@accel/core';
import { clipSkill } from '@accel/skill-clip';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { whisperSkill } from '@accel/skill-whisper';
import type { FromWorker, SkillName, ToWorker } from './protocol.js';

const skills: Record<SkillName, SkillV1> = {
  'sentence-embeddings': sentenceEmbeddingsSkill as unknown as SkillV1,
  whisper: whisperSkill as unknown as SkillV1,
  clip: clipSkill as unknown as SkillV1,
};

let accel: Accel | undefined;
const scope = self as unknown as { postMessage(message: FromWorker): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null };

async function handle(message: ToWorker): Promise<FromWorker> {
  if (message.type === 'init') {
    await accel?.dispose();
    // onnxruntime-web's files are served from /ort/ (its pthread workers load the small .mjs glue from there).
    // Threads need cross-origin isolation (SharedArrayBuffer); at least 2 where it is on, at most 4.
    const threads = message.threads ?? (self.crossOriginIsolated ? Math.min(4, Math.max(2, navigator.hardwareConcurrency)) : 1);
    const backend = createWasmBackend({ wasmPaths: new URL('/ort/', self.location.href).href, threads });
    accel = createAccel({ backends: [backend], ...(message.models === undefined ? {} : { models: message.models }) });
    for (const endpoint of message.endpoints) accel.addEndpoint({ skill: skills[endpoint.skill], model: endpoint.model, backend: 'wasm' });
    const statuses = await accel.init();
    return { type: 'ready', id: message.id, statuses };
  }
  if (accel === undefined) throw new Error('the worker has no registry yet: send init first');
  const result = await accel.infer(skills[message.skill], message.input as never, message.options as never);
  return { type: 'result', id: message.id, result };
}

scope.onmessage = (event) => {
  const message = event.data;
  handle(message).then(
    (answer) => scope.postMessage(answer),
    (error: unknown) => scope.postMessage({ type: 'error', id: message.id, error: serializeError(error) }),
  );
};
