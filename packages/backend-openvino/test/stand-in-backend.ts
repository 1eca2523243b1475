import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dtype } from '@accel/core';
import { createOpenVinoBackendWithSeams } from '../src/create-openvino-backend.js';
import type { OpenVinoBackendOptions } from '../src/openvino-backend-options.js';
import { createOpenVinoStandIn, type StandInOptions } from './openvino-stand-in.js';

/** Node.js version the seam reports, so the probe gets past its Node ≥ 21 check on this machine. */
export const supportedNodeVersion = 'v22.12.0';

/** A backend wired to the openvino-node stand-in (not OpenVINO) through the internal seams. */
export function standInBackend(options: OpenVinoBackendOptions = {}, standIn: StandInOptions = {}) {
  const { namespace, log } = createOpenVinoStandIn(standIn);
  const backend = createOpenVinoBackendWithSeams(options, { importOpenVino: async () => namespace, nodeVersion: supportedNodeVersion, packageVersion: () => undefined });
  return { backend, log };
}

/** Writes a model file the stand-in reads as the named graph. */
export async function standInModelFile(graph: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'accel-openvino-'));
  const file = join(folder, 'model.onnx');
  await writeFile(file, JSON.stringify({ standInGraph: graph }));
  return file;
}

/** A session of the named stand-in graph, created through the backend as the registry would. */
export async function standInSession(
  graph: string,
  { options = {}, standIn = {}, device = 'openvino:CPU', dtype = 'fp32', threads }: { options?: OpenVinoBackendOptions; standIn?: StandInOptions; device?: string; dtype?: Dtype; threads?: number } = {},
) {
  const { backend, log } = standInBackend(options, standIn);
  const file = await standInModelFile(graph);
  const session = await backend.doCreateSession({ file, device, dtype, ...(threads === undefined ? {} : { threads }) });
  return { backend, log, session, file };
}
