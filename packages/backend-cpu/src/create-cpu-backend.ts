import {
  adaptRuntimeSession,
  BackendUnavailableError,
  classifyRuntimeError,
  disableOnnxRuntimeTelemetry,
  memoizeAsync,
  type BackendProbe,
  type BackendV1,
  type CreateSessionOptions,
  type Dtype,
  InvalidInputError,
  InvalidModelError,
} from '@accel/core';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import type { CpuBackendOptions, CpuSpinning } from './cpu-backend-options.js';
import { describeCpu } from './cpu-description.js';

const cpuDtypes: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4'];
const loadOnnxRuntime = memoizeAsync(() => {
  disableOnnxRuntimeTelemetry();
  return import('onnxruntime-node');
});

const spinningModes: readonly CpuSpinning[] = ['during-runs', 'always', 'never'];

/**
 * The onnxruntime-node session options the CPU backend creates every session with, for
 * `intraOpNumThreads` threads: exported so a comparison with raw onnxruntime (accel bench) runs
 * the runtime with exactly these.
 */
export function cpuSessionOptions(options: CpuBackendOptions, intraOpNumThreads: number) {
  const spinning = options.spinning ?? 'during-runs';
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads,
    interOpNumThreads: options.interOpThreads ?? 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    // `extra` nests onnxruntime's dotted session configuration keys.
    extra: {
      session: {
        intra_op: { allow_spinning: spinning === 'never' ? '0' : '1' },
        ...(spinning === 'during-runs' ? { force_spinning_stop: '1' } : {}),
      },
    },
  } satisfies InferenceSession.SessionOptions;
}

function validateOptions(options: CpuBackendOptions): void {
  if (options.spinning !== undefined && !spinningModes.includes(options.spinning)) {
    throw new InvalidInputError({ reason: `spinning must be one of ${spinningModes.join(', ')}, got ${String(options.spinning)}` });
  }
  for (const key of ['threads', 'interOpThreads'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new InvalidInputError({ reason: `${key} must be a positive integer, got ${value}` });
    }
  }
}

/** The CPU backend: onnxruntime-node's CPU execution provider, with an explicit thread budget. */
export function createCpuBackend(options: CpuBackendOptions = {}): BackendV1 {
  validateOptions(options);
  let probed: Promise<BackendProbe> | undefined;

  const probe = async (): Promise<BackendProbe> => {
    const cpu = await describeCpu();
    const threads = options.threads ?? cpu.cores;
    const devices = [{ label: 'cpu', name: cpu.model, cores: cpu.cores }];
    const details = { threads, cores: cpu.cores, instructionSets: cpu.instructionSets.join(' ') || 'unknown' };
    try {
      const runtime = await loadOnnxRuntime();
      return { backend: 'cpu', available: true, devices, dtypes: cpuDtypes, runtime: `onnxruntime-node ${runtime.env.versions.node}`, details };
    } catch (error) {
      return {
        backend: 'cpu',
        available: false,
        reason: `onnxruntime-node's native binding could not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        fix: 'npm install onnxruntime-node@1.30.0 (Linux, macOS or Windows on x64/arm64 with glibc); elsewhere use @accel/backend-wasm',
        devices: [],
        dtypes: [],
        details,
      };
    }
  };

  return {
    specificationVersion: 'v1',
    name: 'cpu',
    packageName: '@accel/backend-cpu',
    source: { module: '@accel/backend-cpu', exportName: 'createCpuBackend', options: { ...options } },
    probe: () => (probed ??= probe()),
    async doCreateSession({ file, device, threads }: CreateSessionOptions) {
      if (device !== 'cpu') throw new BackendUnavailableError({ backend: 'cpu', reason: `device ${device} is not a CPU device label (use "cpu")` });
      const runtime = await loadOnnxRuntime().catch((error: unknown) => {
        throw new BackendUnavailableError({ backend: 'cpu', reason: `onnxruntime-node could not load: ${String(error)}`, cause: error });
      });
      // Only the core count: describeCpu's model name and /proc/cpuinfo read are for the probe.
      const cores = availableParallelism();
      try {
        const session = await runtime.InferenceSession.create(file, cpuSessionOptions(options, Math.min(threads ?? cores, options.threads ?? cores, cores)));
        return adaptRuntimeSession(session, runtime.Tensor);
      } catch (error) {
        const fault = classifyRuntimeError(error, 'cpu');
        if (fault) throw fault;
        throw new InvalidModelError({ model: file, file, reason: error instanceof Error ? error.message : String(error), cause: error });
      }
    },
    classifyError: classifyRuntimeError,
  };
}
