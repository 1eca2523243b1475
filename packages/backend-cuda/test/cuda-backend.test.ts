import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendUnavailableError, DeviceError, InvalidInputError, InvalidModelError, OutOfMemoryError } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { createCudaBackendWith } from '../src/create-cuda-backend-with.js';
import { createCudaBackend, type CudaBackendOptions } from '../src/index.js';
import { completeGpuMachine, simulatedEnvironment, simulatedRuntime, type SimulatedRuntimeOptions } from './simulated-machine.js';

// What this machine has, checked independently of the probe.
const runtimeFolder = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const bindingFolder = join(runtimeFolder, 'bin', 'napi-v6', process.platform, process.arch);
const hasNvidiaSmi = spawnSync('nvidia-smi', ['-L']).error === undefined;
const hasDriver = hasNvidiaSmi || existsSync('/proc/driver/nvidia');
const hasProviderFiles = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'].every((file) => existsSync(join(bindingFolder, file)));
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const lacksSomething = !hasDriver || !hasProviderFiles || !linuxX64;
const missingHere = [
  ...(linuxX64 ? [] : [`${process.platform}/${process.arch} is not linux/x64`]),
  ...(hasDriver ? [] : ['no NVIDIA driver']),
  ...(hasProviderFiles ? [] : ['no CUDA provider files next to the onnxruntime-node binding']),
].join(', ');
/** GPUs `nvidia-smi -L` lists, when it runs. */
const nvidiaSmiGpus = hasNvidiaSmi ? spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' }).stdout.split('\n').filter((line) => /^GPU \d+:/.test(line)).length : 0;
/** The test's name, and — where it does not run — why it is skipped. */
const gated = (runs: boolean, name: string, skippedBecause: string) => (runs ? name : `${name} (skipped: ${skippedBecause})`);
const fullSetup = 'this machine has an NVIDIA driver and the CUDA provider files on linux/x64';

describe('on this machine (real system and runtime; no GPU in this project\'s CI)', () => {
  it.runIf(lacksSomething)(gated(lacksSomething, 'probe reports unavailable and names what this machine lacks', fullSetup), async () => {
    const probe = await createCudaBackend().probe();
    expect(probe.backend).toBe('cuda');
    expect(probe.available).toBe(false);
    expect(probe.reason).toBeTruthy();
    expect(probe.fix).toBeTruthy();
    expect(probe.dtypes).toEqual([]);
    if (linuxX64) {
      expect(probe.runtime).toBe('onnxruntime-node 1.30.0');
      if (!hasDriver) expect(probe.reason).toContain('no NVIDIA driver found (nvidia-smi missing and /proc/driver/nvidia absent)');
      // What this machine has, the probe must not call missing.
      if (hasDriver) expect(probe.reason).not.toContain('no NVIDIA driver found');
      if (hasProviderFiles) expect(probe.reason).not.toContain('CUDA provider is not installed');
      if (!hasProviderFiles) {
        expect(probe.reason).toContain(`libonnxruntime_providers_cuda.so`);
        expect(probe.reason).toContain(bindingFolder);
        expect(probe.fix).toContain('ONNXRUNTIME_NODE_INSTALL=1 npm rebuild onnxruntime-node');
      }
    }
  });

  it.runIf(lacksSomething)(gated(lacksSomething, 'doCreateSession rejects with BackendUnavailableError carrying the probe\'s reason and fix', fullSetup), async () => {
    const backend = createCudaBackend();
    const probe = await backend.probe();
    const error = await backend.doCreateSession({ file: '/nonexistent/model.onnx', device: 'cuda:0', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toBe(probe.reason);
    expect((error as BackendUnavailableError).fix).toBe(probe.fix);
  });

  it.skipIf(lacksSomething)(
    gated(!lacksSomething, 'with a driver and the provider files: probe lists the GPUs nvidia-smi lists, or names a missing library', missingHere),
    async () => {
      const probe = await createCudaBackend().probe();
      // The driver and the provider files are here (checked above without the probe): it must not say otherwise.
      expect(probe.reason ?? '').not.toContain('no NVIDIA driver found');
      expect(probe.reason ?? '').not.toContain('CUDA provider is not installed');
      if (probe.available) {
        expect(probe.dtypes).toContain('fp32');
        const labels = probe.devices.map((device) => device.label);
        if (process.env.CUDA_VISIBLE_DEVICES === undefined && nvidiaSmiGpus > 0) {
          expect(labels).toEqual(Array.from({ length: nvidiaSmiGpus }, (_, index) => `cuda:${index}`));
        } else {
          expect(labels.length).toBeGreaterThan(0);
          for (const label of labels) expect(label).toMatch(/^cuda:\d+$/);
        }
      } else {
        // Only what this test cannot see for itself may be missing: the CUDA 12 / cuDNN 9 libraries
        // (found by the probe's library search), the driver's own library or version, the visible
        // devices, or a failed check session — and the probe must say which, with a fix.
        expect(probe.reason).toMatch(
          /CUDA 12 libraries not found|cuDNN 9 not found|which the dynamic loader does not search|the NVIDIA driver('s CUDA library| \S+ is too old| .*lists no GPU)|CUDA_VISIBLE_DEVICES|failed its check session/,
        );
        expect(probe.fix).toBeTruthy();
      }
    },
  );

  it('rejects a device label that is not cuda:N', async () => {
    const error = await createCudaBackend().doCreateSession({ file: 'model.onnx', device: 'cpu', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('device cpu is not a CUDA device label (use cuda:N');
  });

  it('names itself', () => {
    expect(createCudaBackend()).toMatchObject({ specificationVersion: 'v1', name: 'cuda', packageName: '@accel/backend-cuda' });
  });
});

describe('options', () => {
  it('refuses thread counts that are not positive integers', () => {
    expect(() => createCudaBackend({ threads: 0 })).toThrow(InvalidInputError);
    expect(() => createCudaBackend({ threads: 1.5 })).toThrow('threads must be a positive integer, got 1.5');
    expect(() => createCudaBackend({ interOpThreads: -1 })).toThrow('interOpThreads must be a positive integer, got -1');
  });

  it('refuses wrongly typed options', () => {
    expect(() => createCudaBackend({ allowSpinning: 'yes' } as unknown as CudaBackendOptions)).toThrow('allowSpinning must be a boolean, got yes');
    expect(() => createCudaBackend({ graphOptimizationLevel: 'max' } as unknown as CudaBackendOptions)).toThrow(
      'graphOptimizationLevel must be one of disabled, basic, extended, all, got max',
    );
  });

  it('refuses unknown options, and explains why a GPU memory limit cannot be set', () => {
    expect(() => createCudaBackend({ thread: 2 } as unknown as CudaBackendOptions)).toThrow(
      'unknown CUDA backend option thread (known: threads, interOpThreads, allowSpinning, graphOptimizationLevel)',
    );
    expect(() => createCudaBackend({ memoryLimitBytes: 2 ** 30 } as unknown as CudaBackendOptions)).toThrow(/passes only the device id to the CUDA provider/);
  });

  it('accepts valid options', () => {
    expect(() => createCudaBackend({ threads: 2, interOpThreads: 1, allowSpinning: true, graphOptimizationLevel: 'extended' })).not.toThrow();
  });
});

describe('sessions and errors (simulated runtime, not a GPU)', () => {
  const modelFile = '/models/bert/onnx/model.onnx';
  const simulatedBackend = (options: CudaBackendOptions = {}, runtimeOptions: SimulatedRuntimeOptions = {}) => {
    const simulated = simulatedRuntime(runtimeOptions);
    const backend = createCudaBackendWith(options, simulatedEnvironment(completeGpuMachine(), simulated.runtime));
    return { backend, calls: simulated.calls };
  };
  const failingOn = (message: string): SimulatedRuntimeOptions => ({
    onCreate: ({ model }) => {
      if (model === modelFile) throw new Error(message);
    },
  });

  it('pins each session to its GPU with the thread budget and no spinning', async () => {
    const { backend, calls } = simulatedBackend();
    const session = await backend.doCreateSession({ file: modelFile, device: 'cuda:1', dtype: 'fp16' });
    expect(session.inputNames).toEqual(['x']);
    expect(calls.at(-1)).toEqual({
      model: modelFile,
      options: {
        executionProviders: [{ name: 'cuda', deviceId: 1 }],
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      },
    });
  });

  it('applies the options, and a per-session thread count over the backend\'s', async () => {
    const { backend, calls } = simulatedBackend({ threads: 4, interOpThreads: 2, allowSpinning: true, graphOptimizationLevel: 'basic' });
    await backend.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32' });
    expect(calls.at(-1)?.options).toMatchObject({ intraOpNumThreads: 4, interOpNumThreads: 2, graphOptimizationLevel: 'basic', extra: { session: { intra_op: { allow_spinning: '1' } } } });
    await backend.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32', threads: 2 });
    expect(calls.at(-1)?.options).toMatchObject({ intraOpNumThreads: 2 });
  });

  it('probes once: the check sessions run once per GPU however many sessions follow', async () => {
    const { backend, calls } = simulatedBackend();
    expect(await backend.probe()).toBe(await backend.probe());
    await backend.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32' });
    await backend.doCreateSession({ file: modelFile, device: 'cuda:1', dtype: 'fp32' });
    expect(calls.filter((call) => call.model instanceof Uint8Array)).toHaveLength(2);
  });

  it('refuses a GPU the probe did not find, naming the visible ones', async () => {
    const error = await simulatedBackend().backend.doCreateSession({ file: modelFile, device: 'cuda:2', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toBe('no GPU cuda:2 on this machine (visible GPUs: cuda:0, cuda:1)');
  });

  it('refuses a label that is not cuda:N, naming the visible GPUs', async () => {
    const error = await simulatedBackend().backend.doCreateSession({ file: modelFile, device: 'gpu:0', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect((error as BackendUnavailableError).reason).toBe('device gpu:0 is not a CUDA device label (use cuda:N; visible GPUs: cuda:0, cuda:1)');
  });

  it('turns a CUDA out-of-memory failure into OutOfMemoryError for that GPU', async () => {
    const { backend } = simulatedBackend({}, failingOn('CUDA failure 2: out of memory ; GPU=1 ; hostname=gpu-1 ; file=cuda_allocator.cc ; line=47 ; expr=cudaMalloc((void**)&p, size);'));
    const error = await backend.doCreateSession({ file: modelFile, device: 'cuda:1', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(OutOfMemoryError.isInstance(error)).toBe(true);
    expect((error as OutOfMemoryError).device).toBe('cuda:1');
  });

  it('turns an illegal memory access into DeviceError', async () => {
    const { backend } = simulatedBackend({}, failingOn('CUDA failure 700: an illegal memory access was encountered ; GPU=0'));
    const error = await backend.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(DeviceError.isInstance(error)).toBe(true);
    expect((error as DeviceError).device).toBe('cuda:0');
  });

  it('turns a file onnxruntime cannot load into InvalidModelError, and a provider that stops loading into BackendUnavailableError', async () => {
    const invalid = simulatedBackend({}, failingOn(`Load model from ${modelFile} failed:Protobuf parsing failed.`)).backend;
    const error = await invalid.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(InvalidModelError.isInstance(error)).toBe(true);
    expect((error as InvalidModelError).file).toBe(modelFile);

    const unloadable = simulatedBackend({}, failingOn('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')).backend;
    const unavailable = await unloadable.doCreateSession({ file: modelFile, device: 'cuda:0', dtype: 'fp32' }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(unavailable)).toBe(true);
  });

  it('classifies runtime failures thrown while running', () => {
    const backend = createCudaBackend();
    expect(OutOfMemoryError.isInstance(backend.classifyError?.(new Error('CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED'), 'cuda:0'))).toBe(true);
    expect(DeviceError.isInstance(backend.classifyError?.(new Error('CUDA failure 719: unspecified launch failure'), 'cuda:1'))).toBe(true);
    expect(backend.classifyError?.(new Error('Got invalid dimensions for input: x'), 'cuda:0')).toBeUndefined();
  });
});
