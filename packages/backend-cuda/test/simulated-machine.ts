import type { CudaEnvironment } from '../src/cuda-environment.js';
import type { CudaRuntime } from '../src/cuda-runtime.js';
import type { CommandOutcome, SystemAccess } from '../src/system-access.js';

/**
 * A simulated machine for the probe-logic tests: files, program outputs and environment
 * variables are given as data. Nothing here touches a GPU or the real file system.
 */
export interface SimulatedMachine {
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Program name → its stdout (exit code 0) or a full outcome. Programs not listed are not installed. */
  readonly commands?: Readonly<Record<string, string | CommandOutcome>>;
  /** Absolute path → content. Folders exist when a file lies under them. */
  readonly files?: Readonly<Record<string, string>>;
}

export function simulatedSystem(machine: SimulatedMachine): SystemAccess & { readonly commandsRun: string[] } {
  const files = machine.files ?? {};
  const commandsRun: string[] = [];
  return {
    commandsRun,
    platform: machine.platform ?? 'linux',
    arch: machine.arch ?? 'x64',
    environment: () => machine.environment ?? {},
    async runCommand(program, args) {
      commandsRun.push([program, ...args].join(' '));
      const outcome = machine.commands?.[program];
      if (outcome === undefined) return { found: false, exitCode: null, stdout: '', stderr: '' };
      return typeof outcome === 'string' ? { found: true, exitCode: 0, stdout: outcome, stderr: '' } : outcome;
    },
    readTextFile: async (path) => files[path],
    async listFolder(path) {
      const prefix = `${path.replace(/\/+$/, '')}/`;
      const names = Object.keys(files)
        .filter((file) => file.startsWith(prefix))
        .map((file) => file.slice(prefix.length).split('/')[0] ?? '');
      return [...new Set(names)];
    },
    pathExists: async (path) => path in files || Object.keys(files).some((file) => file.startsWith(`${path.replace(/\/+$/, '')}/`)),
  };
}

export interface SimulatedSessionCall {
  readonly model: string | Uint8Array;
  readonly options: Record<string, unknown>;
}

export interface SimulatedRuntimeOptions {
  /** Execution providers the simulated binding reports. Default: as onnxruntime-node 1.30 on linux/x64. */
  readonly providers?: readonly string[];
  /** Called for every session creation; throw to simulate a failure. */
  readonly onCreate?: (call: SimulatedSessionCall) => void;
  /** Output values of the check model. Default: the right answer. */
  readonly checkOutput?: readonly number[];
}

class SimulatedTensor {
  constructor(
    readonly type: string,
    readonly data: ArrayLike<unknown>,
    readonly dims: readonly number[],
  ) {}
}

/** A stand-in for onnxruntime-node: records session options, never loads a native library. */
export function simulatedRuntime(options: SimulatedRuntimeOptions = {}): { runtime: CudaRuntime; calls: SimulatedSessionCall[]; released: number[] } {
  const calls: SimulatedSessionCall[] = [];
  const released: number[] = [];
  const runtime = {
    env: { versions: { common: '1.30.0', node: '1.30.0' } },
    listSupportedBackends: () => (options.providers ?? ['cpu', 'webgpu', 'cuda', 'tensorrt']).map((name) => ({ name, bundled: name === 'cpu' || name === 'webgpu' })),
    Tensor: SimulatedTensor,
    InferenceSession: {
      async create(model: string | Uint8Array, sessionOptions: Record<string, unknown>) {
        const call = { model, options: sessionOptions };
        calls.push(call);
        options.onCreate?.(call);
        return {
          inputNames: ['x'],
          outputNames: ['y'],
          inputMetadata: [],
          outputMetadata: [],
          run: async () => ({ y: new SimulatedTensor('float32', Float32Array.from(options.checkOutput ?? [2, 4, 6]), [3]) }),
          release: async () => {
            released.push(calls.indexOf(call));
          },
        };
      },
    },
  };
  return { runtime: runtime as unknown as CudaRuntime, calls, released };
}

export const runtimePackageFolder = '/app/node_modules/onnxruntime-node';
export const bindingFolder = `${runtimePackageFolder}/bin/napi-v6/linux/x64`;

export function simulatedEnvironment(machine: SimulatedMachine, runtime: CudaRuntime = simulatedRuntime().runtime): CudaEnvironment & { system: ReturnType<typeof simulatedSystem> } {
  return { system: simulatedSystem(machine), loadRuntime: async () => runtime, runtimePackageFolder: () => runtimePackageFolder };
}

/** nvidia-smi's answer to the probe's query on a machine with two H100s. */
export const twoGpuSmiOutput = [
  '0, GPU-5f2c9a1e-8b7d-4c3e-9a10-0123456789ab, 00000000:17:00.0, 550.54.15, 81559, 80910, NVIDIA H100 80GB HBM3',
  '1, GPU-9e1d7b22-4a5f-4d60-8c3b-ba9876543210, 00000000:65:00.0, 550.54.15, 81559, 1024, NVIDIA H100 80GB HBM3',
  '',
].join('\n');

const cudaLibraryFolder = '/usr/local/cuda-12.4/targets/x86_64-linux/lib';
const cudnnFolder = '/usr/lib/x86_64-linux-gnu';

export function ldconfigOutput(libraries: Readonly<Record<string, string>>): string {
  const lines = Object.entries(libraries).map(([file, folder]) => `\t${file} (libc6,x86-64) => ${folder}/${file}`);
  return `${lines.length} libs found in cache \`/etc/ld.so.cache'\n${lines.join('\n')}\n`;
}

export const cudaLibraryFiles: Readonly<Record<string, string>> = {
  'libcuda.so.1': cudnnFolder,
  'libcudart.so.12': cudaLibraryFolder,
  'libcublas.so.12': cudaLibraryFolder,
  'libcublasLt.so.12': cudaLibraryFolder,
  'libcufft.so.11': cudaLibraryFolder,
  'libcurand.so.10': cudaLibraryFolder,
  'libcudnn.so.9': cudnnFolder,
};

/** A Linux x64 machine with two GPUs and everything the CUDA provider needs. */
export function completeGpuMachine(overrides: SimulatedMachine = {}): SimulatedMachine {
  return {
    ...overrides,
    commands: { 'nvidia-smi': twoGpuSmiOutput, ldconfig: ldconfigOutput(cudaLibraryFiles), ...overrides.commands },
    files: {
      [`${bindingFolder}/onnxruntime_binding.node`]: '',
      [`${bindingFolder}/libonnxruntime_providers_cuda.so`]: '',
      [`${bindingFolder}/libonnxruntime_providers_shared.so`]: '',
      ...overrides.files,
    },
  };
}
