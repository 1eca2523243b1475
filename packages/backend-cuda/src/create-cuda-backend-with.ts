import {
  adaptRuntimeSession,
  BackendUnavailableError,
  classifyRuntimeError,
  type BackendProbe,
  type BackendV1,
  type CreateSessionOptions,
  InvalidModelError,
} from '@accel/core';
import type { CudaBackendOptions } from './cuda-backend-options.js';
import type { CudaEnvironment } from './cuda-environment.js';
import { parseCudaDeviceLabel } from './device-label.js';
import { probeCuda } from './probe-cuda.js';
import { validateCudaBackendOptions } from './validate-cuda-backend-options.js';

const defaultThreads = 1;

/**
 * The CUDA backend over a given environment. Internal: tests pass a simulated system and runtime.
 * It lives apart from `createCudaBackend` because `CudaEnvironment` names onnxruntime-node's types,
 * which a consumer's `skipLibCheck: false` check must not load (they need the DOM lib).
 */
export function createCudaBackendWith(options: CudaBackendOptions, environment: CudaEnvironment): BackendV1 {
  validateCudaBackendOptions(options);
  let probed: Promise<BackendProbe> | undefined;
  const probe = () => (probed ??= probeCuda(environment, { threads: options.threads ?? defaultThreads }));

  return {
    specificationVersion: 'v1',
    name: 'cuda',
    packageName: '@accel/backend-cuda',
    probe,
    async doCreateSession({ file, device, threads }: CreateSessionOptions) {
      const found = await probe();
      const labels = found.devices.map((candidate) => candidate.label).join(', ') || 'none';
      const deviceId = parseCudaDeviceLabel(device);
      if (deviceId === undefined) {
        throw new BackendUnavailableError({ backend: 'cuda', reason: `device ${device} is not a CUDA device label (use cuda:N; visible GPUs: ${labels})` });
      }
      if (!found.available) {
        throw new BackendUnavailableError({ backend: 'cuda', reason: found.reason ?? 'its probe reported it unavailable', ...(found.fix ? { fix: found.fix } : {}) });
      }
      if (!found.devices.some((candidate) => candidate.label === device)) {
        throw new BackendUnavailableError({ backend: 'cuda', reason: `no GPU ${device} on this machine (visible GPUs: ${labels})` });
      }
      const runtime = await environment.loadRuntime().catch((error: unknown) => {
        throw new BackendUnavailableError({ backend: 'cuda', reason: `onnxruntime-node could not load: ${String(error)}`, cause: error });
      });
      try {
        const session = await runtime.InferenceSession.create(file, {
          executionProviders: [{ name: 'cuda', deviceId }],
          intraOpNumThreads: threads ?? options.threads ?? defaultThreads,
          interOpNumThreads: options.interOpThreads ?? 1,
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
        });
        return adaptRuntimeSession(session, runtime.Tensor);
      } catch (error) {
        const fault = classifyRuntimeError(error, device);
        if (fault) throw fault;
        const message = error instanceof Error ? error.message : String(error);
        if (/Failed to load (shared )?library/i.test(message)) {
          throw new BackendUnavailableError({ backend: 'cuda', reason: `the CUDA provider could not load: ${message.split('\n')[0]}`, cause: error });
        }
        throw new InvalidModelError({ model: file, file, reason: message, cause: error });
      }
    },
    classifyError: classifyRuntimeError,
  };
}
