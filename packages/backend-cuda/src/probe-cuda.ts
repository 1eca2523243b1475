import type { BackendProbe, DeviceInfo, Dtype } from '@accel/core';
import { cudaLibraries, cudnnLibraries, driverLibrary, type LibraryRequirement } from './cuda-library-requirements.js';
import type { CudaEnvironment } from './cuda-environment.js';
import type { CudaRuntime } from './cuda-runtime.js';
import { checkCudaSession } from './cuda-session-check.js';
import { createLibrarySearch, type LibrarySearch } from './library-search.js';
import { detectNvidiaDriver, isDriverTooOldForCuda12 } from './nvidia-driver.js';
import { bindingFolder, findMissingProviderFiles, providerInstallFix } from './provider-files.js';
import type { SystemAccess } from './system-access.js';
import { applyVisibleDevices, type VisibleGpu } from './visible-devices.js';

/** What the CUDA backend runs when it is available (core maps each to its model file). */
export const cudaDtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8'];

interface Problem {
  readonly reason: string;
  readonly fix?: string;
}

type Details = Record<string, string | number | boolean>;

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || message;
}

function toDeviceInfo(gpu: VisibleGpu): DeviceInfo {
  return {
    label: gpu.label,
    name: gpu.name,
    ...(gpu.memoryBytes === undefined ? {} : { memoryBytes: gpu.memoryBytes }),
    ...(gpu.freeMemoryBytes === undefined ? {} : { freeMemoryBytes: gpu.freeMemoryBytes }),
  };
}

function unsupportedPlatformFix(platform: string, arch: string): string {
  if (platform === 'darwin') return 'macOS has no CUDA; use @accel/backend-cpu';
  if (platform === 'win32') {
    return 'onnxruntime-node ships its CUDA provider for Linux x64 only (its Windows build offers DirectML and WebGPU): run on Linux x64 (WSL 2 with NVIDIA\'s WSL driver counts), or use @accel/backend-cpu';
  }
  return `onnxruntime-node ships its CUDA provider for Linux x64 only, not ${platform}/${arch}: run on Linux x64, or use @accel/backend-cpu`;
}

/** Checks one group of libraries; returns what is missing, and what is installed where the loader does not look. */
async function checkLibraries(
  search: LibrarySearch,
  requirements: readonly LibraryRequirement[],
  title: string,
  installFix: (pipPackages: string[]) => string,
): Promise<{ problem?: Problem; unreachable: Array<{ file: string; path: string }> }> {
  const missing: LibraryRequirement[] = [];
  const unreachable: Array<{ file: string; path: string }> = [];
  for (const requirement of requirements) {
    const location = await search.find(requirement.file);
    if (location === undefined) missing.push(requirement);
    else if (!location.loadable) unreachable.push({ file: requirement.file, path: location.path });
  }
  if (missing.length === 0) return { unreachable };

  const others: string[] = [];
  for (const requirement of missing) {
    for (const other of requirement.otherVersions) {
      const location = await search.find(other);
      if (location !== undefined) others.push(`${other} in ${location.path.slice(0, location.path.lastIndexOf('/'))}`);
    }
  }
  const wrongVersion = others.length === 0 ? '' : ` (found ${others.join(', ')}: another major version, which onnxruntime-node's CUDA provider cannot use)`;
  const pipPackages = [...new Set(missing.map((requirement) => requirement.pipPackage))];
  return {
    problem: { reason: `${title} not found: ${missing.map((requirement) => requirement.file).join(', ')}${wrongVersion}`, fix: installFix(pipPackages) },
    unreachable,
  };
}

async function checkRuntimeFiles(
  environment: CudaEnvironment,
  runtime: CudaRuntime | undefined,
  search: LibrarySearch,
  problems: Problem[],
  details: Details,
): Promise<void> {
  const { system } = environment;
  const packageFolder = environment.runtimePackageFolder();
  if (packageFolder === undefined) {
    problems.push({ reason: 'onnxruntime-node cannot be resolved from @accel/backend-cuda', fix: 'npm install onnxruntime-node@1.30.0' });
  } else {
    const folder = bindingFolder(packageFolder, system.platform, system.arch);
    details.providerFolder = folder;
    const missing = await findMissingProviderFiles(system, folder);
    if (missing.length > 0) {
      const version = runtime?.env.versions.node;
      problems.push({
        reason: `onnxruntime-node${version ? ` ${version}` : ''}'s CUDA provider is not installed: ${missing.join(' and ')} missing from ${folder}`,
        fix: providerInstallFix(packageFolder),
      });
    }
  }

  details.librarySearch = search.searched;
  const cuda = await checkLibraries(
    search,
    cudaLibraries,
    'CUDA 12 libraries',
    (pipPackages) =>
      `install the CUDA 12 libraries: \`sudo apt-get install cuda-toolkit-12\` (NVIDIA's CUDA apt repository) or \`pip install ${pipPackages.join(' ')}\`, and put their folder on LD_LIBRARY_PATH before starting node`,
  );
  const cudnn = await checkLibraries(
    search,
    cudnnLibraries,
    'cuDNN 9',
    (pipPackages) =>
      `install cuDNN 9 for CUDA 12: \`sudo apt-get install libcudnn9-cuda-12\` (NVIDIA's CUDA apt repository) or \`pip install ${pipPackages.join(' ')}\`, and put its folder on LD_LIBRARY_PATH before starting node`,
  );
  for (const { problem } of [cuda, cudnn]) if (problem) problems.push(problem);
  const unreachable = [...cuda.unreachable, ...cudnn.unreachable];
  if (unreachable.length > 0) {
    const folders = [...new Set(unreachable.map(({ path }) => path.slice(0, path.lastIndexOf('/'))))];
    problems.push({
      reason: `${unreachable.map(({ file, path }) => `${file} is in ${path.slice(0, path.lastIndexOf('/'))}`).join(', ')}, which the dynamic loader does not search`,
      fix: `export LD_LIBRARY_PATH=${folders.join(':')}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} before starting node (or add the folder to /etc/ld.so.conf.d/ and run \`sudo ldconfig\`)`,
    });
  }
}

/** The driver, its GPUs and which of them CUDA_VISIBLE_DEVICES leaves visible. */
async function checkDriverAndDevices(system: SystemAccess, search: LibrarySearch, problems: Problem[], details: Details): Promise<readonly VisibleGpu[]> {
  const driver = await detectNvidiaDriver(system);
  if (!driver.found) {
    problems.push({ reason: driver.reason, fix: driver.fix });
    return [];
  }
  details.driver = `${driver.version ?? 'unknown version'} (from ${driver.source})`;
  if (driver.note !== undefined) details.driverNote = driver.note;
  if (driver.version !== undefined && isDriverTooOldForCuda12(driver.version)) {
    problems.push({ reason: `NVIDIA driver ${driver.version} is too old for CUDA 12 (needs 525.60.13 or newer)`, fix: 'update the NVIDIA driver to 525.60.13 or newer and reboot' });
  }
  if ((await search.find(driverLibrary)) === undefined) {
    problems.push({
      reason: `the NVIDIA driver's CUDA library ${driverLibrary} is not installed (the kernel module is there)`,
      fix: "install the driver's user-space libraries for the same version as the kernel module (e.g. libnvidia-compute-<version>); in a container, start it with the NVIDIA Container Toolkit (`docker run --gpus all …`)",
    });
  }
  if (driver.gpus.length === 0) {
    problems.push({
      reason: `the NVIDIA driver${driver.version ? ` ${driver.version}` : ''} is loaded but lists no GPU`,
      fix: 'check that the GPU is seated and powered and that `nvidia-smi` lists it; in a container, start it with `--gpus all`',
    });
    return [];
  }

  const visibleValue = system.environment().CUDA_VISIBLE_DEVICES;
  const { gpus: visible, note } = applyVisibleDevices(driver.gpus, visibleValue);
  if (note !== undefined) details.visibleDevices = note;
  if (visible.length === 0) {
    const found = driver.gpus.map((gpu) => `GPU ${gpu.index} ${gpu.name}${gpu.uuid ? ` ${gpu.uuid}` : ''}`).join(', ');
    problems.push({
      reason: `CUDA_VISIBLE_DEVICES="${visibleValue ?? ''}" hides every GPU (found: ${found})`,
      fix: 'unset CUDA_VISIBLE_DEVICES, or list the GPUs to use by index or UUID (e.g. CUDA_VISIBLE_DEVICES=0,1)',
    });
  }
  if (new Set(visible.map((gpu) => gpu.name)).size > 1 && system.environment().CUDA_DEVICE_ORDER !== 'PCI_BUS_ID') {
    details.deviceOrder = 'labels follow PCI bus order, but CUDA numbers mixed GPU models fastest first: set CUDA_DEVICE_ORDER=PCI_BUS_ID so cuda:N is the GPU named here';
  }
  return visible;
}

async function probeCudaUnsafe(environment: CudaEnvironment): Promise<BackendProbe> {
  const { system } = environment;
  const problems: Problem[] = [];
  const details: Details = {};

  let runtime: CudaRuntime | undefined;
  try {
    runtime = await environment.loadRuntime();
  } catch (error) {
    problems.push({
      reason: `onnxruntime-node's native binding could not load: ${errorMessage(error)}`,
      fix: system.platform === 'linux' && system.arch === 'x64' ? 'npm install onnxruntime-node@1.30.0 (Linux x64 with glibc)' : unsupportedPlatformFix(system.platform, system.arch),
    });
  }
  const runtimeName = runtime === undefined ? undefined : `onnxruntime-node ${runtime.env.versions.node ?? 'unknown version'}`;
  if (runtime !== undefined) {
    const providers = runtime.listSupportedBackends().map((backend) => backend.name);
    if (!providers.includes('cuda')) {
      return {
        backend: 'cuda',
        available: false,
        reason: `${runtimeName} for ${system.platform}/${system.arch} has no CUDA execution provider (it offers: ${providers.join(', ') || 'none'})`,
        fix: unsupportedPlatformFix(system.platform, system.arch),
        devices: [],
        dtypes: [],
        ...(runtimeName ? { runtime: runtimeName } : {}),
      };
    }
  }

  const search = await createLibrarySearch(system);
  const visible = await checkDriverAndDevices(system, search, problems, details);

  await checkRuntimeFiles(environment, runtime, search, problems, details);

  const devices = visible.map(toDeviceInfo);
  const unavailable = (reasonProblems: readonly Problem[], shownDevices: readonly DeviceInfo[]): BackendProbe => {
    const fixes = [...new Set(reasonProblems.flatMap((problem) => (problem.fix === undefined ? [] : [problem.fix])))];
    return {
      backend: 'cuda',
      available: false,
      reason: reasonProblems.map((problem) => problem.reason).join('; '),
      ...(fixes.length > 0 ? { fix: fixes.join('; ') } : {}),
      devices: shownDevices,
      dtypes: [],
      ...(runtimeName ? { runtime: runtimeName } : {}),
      details,
    };
  };
  if (problems.length > 0 || runtime === undefined) return unavailable(problems, devices);

  // Every file is in place: now make the CUDA provider prove it works, on every visible GPU.
  const failures: string[] = [];
  const working: DeviceInfo[] = [];
  for (const gpu of visible) {
    const failure = await checkCudaSession(runtime, gpu.deviceId);
    if (failure === undefined) working.push(toDeviceInfo(gpu));
    else failures.push(`${gpu.label}: ${failure}`);
  }
  if (failures.length > 0) details.failedDevices = failures.join('; ');
  if (working.length === 0) {
    return unavailable(
      [
        {
          reason: `the CUDA provider failed its check session on every GPU (${failures.join('; ')})`,
          fix: "check that `nvidia-smi` works and that the CUDA 12 and cuDNN 9 libraries match the driver; for onnxruntime's full log, set `env.logLevel = 'verbose'` (from onnxruntime-node) before the first session",
        },
      ],
      devices,
    );
  }
  return { backend: 'cuda', available: true, devices: working, dtypes: cudaDtypes, runtime: runtimeName, details };
}

/** Measures whether onnxruntime-node's CUDA provider can run here, naming each missing piece and its fix. Never throws. */
export async function probeCuda(environment: CudaEnvironment, details: Details = {}): Promise<BackendProbe> {
  try {
    const probe = await probeCudaUnsafe(environment);
    return { ...probe, details: { ...details, ...probe.details } };
  } catch (error) {
    return { backend: 'cuda', available: false, reason: `the CUDA probe failed unexpectedly: ${errorMessage(error)}`, devices: [], dtypes: [], details };
  }
}
