import { describe, expect, it } from 'vitest';
import { cudaCheckModel } from '../src/cuda-check-model.js';
import { parseCudaDeviceLabel } from '../src/device-label.js';
import { isDriverTooOldForCuda12, parseNvidiaSmiOutput, parseProcDriverVersion } from '../src/nvidia-driver.js';
import { probeCuda } from '../src/probe-cuda.js';
import type { SystemAccess } from '../src/system-access.js';
import {
  bindingFolder,
  completeGpuMachine,
  cudaLibraryFiles,
  ldconfigOutput,
  runtimePackageFolder,
  simulatedEnvironment,
  simulatedRuntime,
  type SimulatedMachine,
  twoGpuSmiOutput,
} from './simulated-machine.js';

const mebibyte = 1024 * 1024;
const h100 = 'NVIDIA H100 80GB HBM3';

function withoutFiles(machine: SimulatedMachine, ...names: string[]): SimulatedMachine {
  const files = Object.fromEntries(Object.entries(machine.files ?? {}).filter(([path]) => !names.some((name) => path.endsWith(`/${name}`))));
  return { ...machine, files };
}

function withLibraries(machine: SimulatedMachine, libraries: Readonly<Record<string, string>>): SimulatedMachine {
  return { ...machine, commands: { ...machine.commands, ldconfig: ldconfigOutput(libraries) } };
}

function librariesWithout(...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(cudaLibraryFiles).filter(([file]) => !names.includes(file)));
}

const procInformation = (model: string, uuid: string, bus: string) =>
  `Model: \t\t ${model}\nIRQ:   \t\t 142\nGPU UUID: \t ${uuid}\nVideo BIOS: \t ??.??.??.??.??\nBus Type: \t PCIe\nBus Location: \t ${bus}\nDevice Minor: \t 0\n`;

describe('probe logic (simulated system, not a GPU)', () => {
  it('lists two GPUs from nvidia-smi with labels, names and memory in bytes, after a check session on each', async () => {
    const { runtime, calls, released } = simulatedRuntime();
    const environment = simulatedEnvironment(completeGpuMachine(), runtime);
    const probe = await probeCuda(environment);
    expect(probe).toEqual({
      backend: 'cuda',
      available: true,
      devices: [
        { label: 'cuda:0', name: h100, memoryBytes: 81559 * mebibyte, freeMemoryBytes: 80910 * mebibyte },
        { label: 'cuda:1', name: h100, memoryBytes: 81559 * mebibyte, freeMemoryBytes: 1024 * mebibyte },
      ],
      dtypes: ['fp32', 'fp16', 'q8'],
      runtime: 'onnxruntime-node 1.30.0',
      details: expect.objectContaining({ driver: '550.54.15 (from nvidia-smi)', providerFolder: bindingFolder }),
    });
    expect(environment.system.commandsRun).toContain(
      'nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version,memory.total,memory.free,name --format=csv,noheader,nounits',
    );
    expect(calls.map((call) => call.options.executionProviders)).toEqual([[{ name: 'cuda', deviceId: 0 }], [{ name: 'cuda', deviceId: 1 }]]);
    expect(calls.every((call) => call.model instanceof Uint8Array && call.model.join() === cudaCheckModel().join())).toBe(true);
    expect(released).toEqual([0, 1]);
  });

  it('with no driver: says so, names the driver install, and starts no session', async () => {
    const { runtime, calls } = simulatedRuntime();
    const machine: SimulatedMachine = { ...completeGpuMachine(), commands: { ldconfig: ldconfigOutput(cudaLibraryFiles) } };
    const probe = await probeCuda(simulatedEnvironment(machine, runtime));
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe('no NVIDIA driver found (nvidia-smi missing and /proc/driver/nvidia absent)');
    expect(probe.fix).toMatch(/^install the NVIDIA driver for your GPU, 525\.60\.13 or newer for CUDA 12 .*docker run --gpus all/);
    expect(probe.devices).toEqual([]);
    expect(probe.dtypes).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it('with a driver but no provider library: names the missing files, the binding folder and the install command', async () => {
    const { runtime, calls } = simulatedRuntime();
    const machine = withoutFiles(completeGpuMachine(), 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so');
    const probe = await probeCuda(simulatedEnvironment(machine, runtime));
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(
      `onnxruntime-node 1.30.0's CUDA provider is not installed: libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so missing from ${bindingFolder}`,
    );
    expect(probe.fix).toBe(
      `ONNXRUNTIME_NODE_INSTALL=1 npm rebuild onnxruntime-node (needs network access: it downloads the provider from NuGet; where package.json's "allowScripts" blocks onnxruntime-node's install script, run it directly: ONNXRUNTIME_NODE_INSTALL=1 node ${runtimePackageFolder}/script/install.js)`,
    );
    // The GPUs are real even though nothing can run on them yet.
    expect(probe.devices.map((device) => device.label)).toEqual(['cuda:0', 'cuda:1']);
    expect(probe.dtypes).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it('names only the provider file that is missing', async () => {
    const probe = await probeCuda(simulatedEnvironment(withoutFiles(completeGpuMachine(), 'libonnxruntime_providers_cuda.so')));
    expect(probe.reason).toBe(`onnxruntime-node 1.30.0's CUDA provider is not installed: libonnxruntime_providers_cuda.so missing from ${bindingFolder}`);
  });

  it('with the provider but no cuDNN: names libcudnn.so.9 and the cuDNN 9 packages', async () => {
    const { runtime, calls } = simulatedRuntime();
    const probe = await probeCuda(simulatedEnvironment(withLibraries(completeGpuMachine(), librariesWithout('libcudnn.so.9')), runtime));
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe('cuDNN 9 not found: libcudnn.so.9');
    expect(probe.fix).toBe(
      "install cuDNN 9 for CUDA 12: `sudo apt-get install libcudnn9-cuda-12` (NVIDIA's CUDA apt repository) or `pip install nvidia-cudnn-cu12`, and put its folder on LD_LIBRARY_PATH before starting node",
    );
    expect(calls).toHaveLength(0);
  });

  it('says when only another major version of a library is installed', async () => {
    const libraries = { ...librariesWithout('libcudnn.so.9', 'libcudart.so.12'), 'libcudnn.so.8': '/usr/lib/x86_64-linux-gnu', 'libcudart.so.13': '/usr/local/cuda-13.0/lib' };
    const probe = await probeCuda(simulatedEnvironment(withLibraries(completeGpuMachine(), libraries)));
    expect(probe.reason).toBe(
      'CUDA 12 libraries not found: libcudart.so.12 (found libcudart.so.13 in /usr/local/cuda-13.0/lib: another major version, which onnxruntime-node\'s CUDA provider cannot use); ' +
        "cuDNN 9 not found: libcudnn.so.9 (found libcudnn.so.8 in /usr/lib/x86_64-linux-gnu: another major version, which onnxruntime-node's CUDA provider cannot use)",
    );
  });

  it('lists exactly the CUDA 12 libraries that are missing, with the pip wheels for those only', async () => {
    const probe = await probeCuda(simulatedEnvironment(withLibraries(completeGpuMachine(), librariesWithout('libcufft.so.11', 'libcurand.so.10'))));
    expect(probe.reason).toBe('CUDA 12 libraries not found: libcufft.so.11, libcurand.so.10');
    expect(probe.fix).toContain('`sudo apt-get install cuda-toolkit-12`');
    expect(probe.fix).toContain('`pip install nvidia-cufft-cu12 nvidia-curand-cu12`');
  });

  it('finds pip-installed libraries the loader does not search, and asks for LD_LIBRARY_PATH', async () => {
    const site = '/srv/venv/lib/python3.11/site-packages';
    const machine = withLibraries(
      { ...completeGpuMachine(), environment: { VIRTUAL_ENV: '/srv/venv' }, files: { ...completeGpuMachine().files, [`${site}/nvidia/cudnn/lib/libcudnn.so.9`]: '' } },
      librariesWithout('libcudnn.so.9'),
    );
    const probe = await probeCuda(simulatedEnvironment(machine));
    expect(probe.reason).toBe(`libcudnn.so.9 is in ${site}/nvidia/cudnn/lib, which the dynamic loader does not search`);
    expect(probe.fix).toBe(
      `export LD_LIBRARY_PATH=${site}/nvidia/cudnn/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} before starting node (or add the folder to /etc/ld.so.conf.d/ and run \`sudo ldconfig\`)`,
    );

    const fixed = await probeCuda(simulatedEnvironment({ ...machine, environment: { VIRTUAL_ENV: '/srv/venv', LD_LIBRARY_PATH: `${site}/nvidia/cudnn/lib` } }));
    expect(fixed.available).toBe(true);
  });

  it('reports every missing piece at once, in order: driver, provider files, CUDA, cuDNN', async () => {
    const machine: SimulatedMachine = { commands: { ldconfig: ldconfigOutput({}) } };
    const probe = await probeCuda(simulatedEnvironment(machine));
    expect(probe.reason?.split('; ')).toEqual([
      'no NVIDIA driver found (nvidia-smi missing and /proc/driver/nvidia absent)',
      `onnxruntime-node 1.30.0's CUDA provider is not installed: libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so missing from ${bindingFolder}`,
      'CUDA 12 libraries not found: libcudart.so.12, libcublas.so.12, libcublasLt.so.12, libcufft.so.11, libcurand.so.10',
      'cuDNN 9 not found: libcudnn.so.9',
    ]);
    expect(probe.fix?.split('; ').length).toBeGreaterThanOrEqual(4);
  });

  describe('CUDA_VISIBLE_DEVICES', () => {
    const probeWith = async (value: string) => {
      const { runtime, calls } = simulatedRuntime();
      const probe = await probeCuda(simulatedEnvironment({ ...completeGpuMachine(), environment: { CUDA_VISIBLE_DEVICES: value } }, runtime));
      return { probe, deviceIds: calls.map((call) => (call.options.executionProviders as Array<{ deviceId: number }>)[0]?.deviceId) };
    };

    it('keeps only the listed GPU and renumbers it as CUDA does', async () => {
      const { probe, deviceIds } = await probeWith('1');
      expect(probe.devices).toEqual([{ label: 'cuda:0', name: h100, memoryBytes: 81559 * mebibyte, freeMemoryBytes: 1024 * mebibyte }]);
      expect(probe.details?.visibleDevices).toBe('CUDA_VISIBLE_DEVICES="1": cuda:0=GPU 1');
      expect(deviceIds).toEqual([0]);
    });

    it('accepts UUID prefixes and follows the listed order', async () => {
      const { probe } = await probeWith('GPU-9e1d, GPU-5f2c');
      expect(probe.devices.map((device) => [device.label, device.freeMemoryBytes])).toEqual([
        ['cuda:0', 1024 * mebibyte],
        ['cuda:1', 80910 * mebibyte],
      ]);
      expect(probe.details?.visibleDevices).toBe('CUDA_VISIBLE_DEVICES="GPU-9e1d, GPU-5f2c": cuda:0=GPU 1, cuda:1=GPU 0');
    });

    it('stops at the first entry that names no GPU', async () => {
      const { probe } = await probeWith('0,7,1');
      expect(probe.devices.map((device) => device.label)).toEqual(['cuda:0']);
      expect(probe.details?.visibleDevices).toBe('CUDA_VISIBLE_DEVICES="0,7,1": cuda:0=GPU 0; "7" names no listed GPU, so CUDA ignores it and every entry after it');
    });

    it('is unavailable when the variable hides every GPU', async () => {
      for (const value of ['', '-1']) {
        const { probe, deviceIds } = await probeWith(value);
        expect(probe.available).toBe(false);
        expect(probe.reason).toBe(
          `CUDA_VISIBLE_DEVICES="${value}" hides every GPU (found: GPU 0 ${h100} GPU-5f2c9a1e-8b7d-4c3e-9a10-0123456789ab, GPU 1 ${h100} GPU-9e1d7b22-4a5f-4d60-8c3b-ba9876543210)`,
        );
        expect(probe.fix).toBe('unset CUDA_VISIBLE_DEVICES, or list the GPUs to use by index or UUID (e.g. CUDA_VISIBLE_DEVICES=0,1)');
        expect(deviceIds).toEqual([]);
      }
    });
  });

  it('falls back to /proc/driver/nvidia without nvidia-smi: names and PCI bus order, no memory', async () => {
    const machine: SimulatedMachine = {
      commands: { ldconfig: ldconfigOutput(cudaLibraryFiles) },
      files: {
        ...completeGpuMachine().files,
        '/proc/driver/nvidia/version': 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.104.05  Release Build  (dvs-builder@U16-I3-B03-4-3)  Sat Aug 19 01:13:48 UTC 2023\nGCC version:  gcc version 12.2.0\n',
        '/proc/driver/nvidia/gpus/0000:65:00.0/information': procInformation('NVIDIA L4', 'GPU-bbbbbbbb-0000-0000-0000-000000000000', '0000:65:00.0'),
        '/proc/driver/nvidia/gpus/0000:17:00.0/information': procInformation('NVIDIA A100-SXM4-40GB', 'GPU-aaaaaaaa-0000-0000-0000-000000000000', '0000:17:00.0'),
      },
    };
    const probe = await probeCuda(simulatedEnvironment(machine));
    expect(probe.available).toBe(true);
    expect(probe.devices).toEqual([
      { label: 'cuda:0', name: 'NVIDIA A100-SXM4-40GB' },
      { label: 'cuda:1', name: 'NVIDIA L4' },
    ]);
    expect(probe.details?.driver).toBe('535.104.05 (from /proc/driver/nvidia)');
    expect(probe.details?.deviceOrder).toMatch(/CUDA_DEVICE_ORDER=PCI_BUS_ID/);
  });

  it('uses /proc/driver/nvidia when nvidia-smi fails, and says why', async () => {
    const failing = { found: true, exitCode: 9, stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", stderr: '' };
    const withProc = await probeCuda(
      simulatedEnvironment({
        ...completeGpuMachine({ commands: { 'nvidia-smi': failing } }),
        files: {
          ...completeGpuMachine().files,
          '/proc/driver/nvidia/version': 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n',
          '/proc/driver/nvidia/gpus/0000:17:00.0/information': procInformation(h100, 'GPU-5f2c9a1e-8b7d-4c3e-9a10-0123456789ab', '0000:17:00.0'),
        },
      }),
    );
    expect(withProc.devices).toEqual([{ label: 'cuda:0', name: h100 }]);
    expect(withProc.details?.driverNote).toBe("nvidia-smi failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.");

    const withoutProc = await probeCuda(simulatedEnvironment(completeGpuMachine({ commands: { 'nvidia-smi': failing } })));
    expect(withoutProc.reason).toBe(
      "the NVIDIA driver is not running: nvidia-smi failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver., and /proc/driver/nvidia is absent",
    );
    expect(withoutProc.fix).toContain('sudo modprobe nvidia');
  });

  it('refuses a driver too old for CUDA 12', async () => {
    const probe = await probeCuda(simulatedEnvironment(completeGpuMachine({ commands: { 'nvidia-smi': twoGpuSmiOutput.replaceAll('550.54.15', '470.199.02') } })));
    expect(probe.reason).toBe('NVIDIA driver 470.199.02 is too old for CUDA 12 (needs 525.60.13 or newer)');
  });

  it("names the driver's libcuda.so.1 when only the kernel module is there (a container without --gpus)", async () => {
    const probe = await probeCuda(simulatedEnvironment(withLibraries(completeGpuMachine(), librariesWithout('libcuda.so.1'))));
    expect(probe.reason).toBe("the NVIDIA driver's CUDA library libcuda.so.1 is not installed (the kernel module is there)");
    expect(probe.fix).toContain('--gpus all');
  });

  it('is unavailable with the runtime message when every check session fails', async () => {
    const message = 'CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=gpu-1 ; file=cuda_execution_provider.cc ; line=245';
    const { runtime } = simulatedRuntime({
      onCreate: () => {
        throw new Error(message);
      },
    });
    const probe = await probeCuda(simulatedEnvironment(completeGpuMachine(), runtime));
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(`the CUDA provider failed its check session on every GPU (cuda:0: ${message}; cuda:1: ${message})`);
    expect(probe.dtypes).toEqual([]);
  });

  it('drops a GPU whose check session fails and keeps the others', async () => {
    const { runtime } = simulatedRuntime({
      onCreate: ({ options }) => {
        if ((options.executionProviders as Array<{ deviceId: number }>)[0]?.deviceId === 1) throw new Error('CUDA failure 999: unknown error');
      },
    });
    const probe = await probeCuda(simulatedEnvironment(completeGpuMachine(), runtime));
    expect(probe.available).toBe(true);
    expect(probe.devices.map((device) => device.label)).toEqual(['cuda:0']);
    expect(probe.details?.failedDevices).toBe('cuda:1: CUDA failure 999: unknown error');
  });

  it('does not trust a check session that computes the wrong answer', async () => {
    const { runtime } = simulatedRuntime({ checkOutput: [0, 0, 0] });
    const probe = await probeCuda(simulatedEnvironment(completeGpuMachine(), runtime));
    expect(probe.reason).toBe(
      'the CUDA provider failed its check session on every GPU (cuda:0: the check model returned [0, 0, 0] instead of [2, 4, 6]; cuda:1: the check model returned [0, 0, 0] instead of [2, 4, 6])',
    );
  });

  it('on Windows and macOS: says the binding has no CUDA provider, without looking for a driver', async () => {
    const windows = simulatedEnvironment({ platform: 'win32', commands: { 'nvidia-smi': twoGpuSmiOutput } }, simulatedRuntime({ providers: ['cpu', 'webgpu', 'dml'] }).runtime);
    const probe = await probeCuda(windows);
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe('onnxruntime-node 1.30.0 for win32/x64 has no CUDA execution provider (it offers: cpu, webgpu, dml)');
    expect(probe.fix).toMatch(/Linux x64 only \(its Windows build offers DirectML and WebGPU\)/);
    expect(windows.system.commandsRun).toEqual([]);

    const mac = await probeCuda(simulatedEnvironment({ platform: 'darwin', arch: 'arm64' }, simulatedRuntime({ providers: ['cpu', 'webgpu', 'coreml'] }).runtime));
    expect(mac.reason).toBe('onnxruntime-node 1.30.0 for darwin/arm64 has no CUDA execution provider (it offers: cpu, webgpu, coreml)');
    expect(mac.fix).toBe('macOS has no CUDA; use @accel/backend-cpu');
  });

  it('reports a runtime that cannot load, and still checks the rest', async () => {
    const environment = { ...simulatedEnvironment(completeGpuMachine()), loadRuntime: () => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')) };
    const probe = await probeCuda(environment);
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe("onnxruntime-node's native binding could not load: libonnxruntime.so.1: cannot open shared object file");
    expect(probe.devices).toHaveLength(2);
  });

  it('never throws, even when the system access does', async () => {
    const broken: SystemAccess = {
      ...simulatedEnvironment({}).system,
      runCommand: () => Promise.reject(new Error('spawn EACCES')),
    };
    const probe = await probeCuda({ ...simulatedEnvironment({}), system: broken });
    expect(probe).toMatchObject({ backend: 'cuda', available: false, reason: 'the CUDA probe failed unexpectedly: spawn EACCES', devices: [], dtypes: [] });
  });
});

describe('probe parsing helpers (simulated output, not a GPU)', () => {
  it('parses nvidia-smi lines, keeping commas in names and skipping unknown memory', () => {
    const { gpus, version } = parseNvidiaSmiOutput('0, GPU-1111, 00000000:01:00.0, 560.35.03, [N/A], [N/A], NVIDIA GH200, 480GB\n');
    expect(version).toBe('560.35.03');
    expect(gpus).toEqual([{ index: 0, uuid: 'GPU-1111', busId: '00000000:01:00.0', name: 'NVIDIA GH200, 480GB' }]);
  });

  it('reads the driver version from both /proc version formats', () => {
    expect(parseProcDriverVersion('NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024')).toBe('550.54.15');
    expect(parseProcDriverVersion('NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.104.05  Release Build')).toBe('535.104.05');
  });

  it('compares driver versions with 525.60.13', () => {
    expect(isDriverTooOldForCuda12('525.60.12')).toBe(true);
    expect(isDriverTooOldForCuda12('470.199.02')).toBe(true);
    expect(isDriverTooOldForCuda12('525.60.13')).toBe(false);
    expect(isDriverTooOldForCuda12('550.54.15')).toBe(false);
  });

  it('accepts cuda:N labels only', () => {
    expect(parseCudaDeviceLabel('cuda:0')).toBe(0);
    expect(parseCudaDeviceLabel('cuda:12')).toBe(12);
    for (const label of ['cuda', 'cuda:', 'cuda:01', 'cuda:-1', 'cuda:*', 'gpu:0', 'cpu']) expect(parseCudaDeviceLabel(label)).toBeUndefined();
  });
});
