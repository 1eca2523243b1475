import type { SystemAccess } from './system-access.js';

/** One GPU as the NVIDIA driver lists it, in PCI bus order (nvidia-smi's index). */
export interface PhysicalGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid?: string;
  readonly busId?: string;
  readonly memoryBytes?: number;
  readonly freeMemoryBytes?: number;
}

export type DriverReport =
  | {
      readonly found: true;
      readonly source: 'nvidia-smi' | '/proc/driver/nvidia';
      readonly version: string | undefined;
      readonly gpus: readonly PhysicalGpu[];
      /** Why nvidia-smi was not used, when the driver's /proc files were read instead. */
      readonly note?: string;
    }
  | { readonly found: false; readonly reason: string; readonly fix: string };

export const nvidiaSmiArguments = [
  '--query-gpu=index,uuid,pci.bus_id,driver_version,memory.total,memory.free,name',
  '--format=csv,noheader,nounits',
] as const;

const procFolder = '/proc/driver/nvidia';
const mebibyte = 1024 * 1024;

export const driverInstallFix =
  'install the NVIDIA driver for your GPU, 525.60.13 or newer for CUDA 12 (e.g. `sudo ubuntu-drivers install` or `sudo apt-get install nvidia-driver-550`, or the installer from nvidia.com/drivers) and reboot; in a container, start it with the NVIDIA Container Toolkit (`docker run --gpus all …`)';

function mebibytesToBytes(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(number) ? Math.round(number * mebibyte) : undefined;
}

/** Parses `nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version,memory.total,memory.free,name --format=csv,noheader,nounits`. */
export function parseNvidiaSmiOutput(output: string): { gpus: PhysicalGpu[]; version: string | undefined } {
  const gpus: PhysicalGpu[] = [];
  let version: string | undefined;
  for (const line of output.split('\n')) {
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 7 || !/^\d+$/.test(fields[0] ?? '')) continue;
    const [index, uuid, busId, driverVersion, total, free] = fields;
    // The name comes last, so a name with a comma in it survives the split.
    const name = fields.slice(6).join(', ');
    version ??= driverVersion && /^\d/.test(driverVersion) ? driverVersion : undefined;
    const memoryBytes = mebibytesToBytes(total);
    const freeMemoryBytes = mebibytesToBytes(free);
    gpus.push({
      index: Number(index),
      name: name || 'NVIDIA GPU',
      ...(uuid?.startsWith('GPU-') ? { uuid } : {}),
      ...(busId && busId !== '[N/A]' ? { busId } : {}),
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
      ...(freeMemoryBytes === undefined ? {} : { freeMemoryBytes }),
    });
  }
  return { gpus: gpus.sort((left, right) => left.index - right.index), version };
}

/** The driver version from `/proc/driver/nvidia/version` ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  …"). */
export function parseProcDriverVersion(text: string): string | undefined {
  return /Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? /NVRM version:.*?\b(\d{3,}\.\d+(?:\.\d+)?)\b/.exec(text)?.[1];
}

function procField(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(.+?)\\s*$`, 'm').exec(text)?.[1];
}

async function readProcGpus(system: SystemAccess): Promise<PhysicalGpu[]> {
  const entries = await system.listFolder(`${procFolder}/gpus`);
  const found: Array<Omit<PhysicalGpu, 'index'> & { readonly order: string }> = [];
  for (const entry of entries) {
    const information = await system.readTextFile(`${procFolder}/gpus/${entry}/information`);
    if (information === undefined) continue;
    const busId = procField(information, 'Bus Location') ?? entry;
    const uuid = procField(information, 'GPU UUID');
    found.push({
      name: procField(information, 'Model') ?? 'NVIDIA GPU',
      busId,
      ...(uuid?.startsWith('GPU-') ? { uuid } : {}),
      order: busId.toLowerCase(),
    });
  }
  // nvidia-smi numbers GPUs in PCI bus order; do the same.
  return found
    .sort((left, right) => (left.order < right.order ? -1 : left.order > right.order ? 1 : 0))
    .map(({ order: _order, ...gpu }, index) => ({ index, ...gpu }));
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

/**
 * Finds the NVIDIA driver and its GPUs: nvidia-smi when it works (names, memory, driver version),
 * else the kernel module's files under /proc/driver/nvidia (names and bus locations, no memory).
 */
export async function detectNvidiaDriver(system: SystemAccess): Promise<DriverReport> {
  const smi = await system.runCommand('nvidia-smi', nvidiaSmiArguments);
  let note: string | undefined;
  if (smi.found && smi.exitCode === 0) {
    const { gpus, version } = parseNvidiaSmiOutput(smi.stdout);
    if (gpus.length > 0) return { found: true, source: 'nvidia-smi', version, gpus };
    note = `nvidia-smi listed no GPU${firstLine(smi.stdout) ? ` (${firstLine(smi.stdout)})` : ''}`;
  } else if (smi.found) {
    note = `nvidia-smi failed (exit code ${smi.exitCode ?? 'none'}): ${firstLine(smi.stdout) || firstLine(smi.stderr) || 'no output'}`;
  }

  if (await system.pathExists(procFolder)) {
    const versionText = await system.readTextFile(`${procFolder}/version`);
    return {
      found: true,
      source: procFolder,
      version: versionText === undefined ? undefined : parseProcDriverVersion(versionText),
      gpus: await readProcGpus(system),
      ...(note === undefined ? {} : { note }),
    };
  }

  if (note === undefined) {
    return { found: false, reason: 'no NVIDIA driver found (nvidia-smi missing and /proc/driver/nvidia absent)', fix: driverInstallFix };
  }
  return {
    found: false,
    reason: `the NVIDIA driver is not running: ${note}, and /proc/driver/nvidia is absent`,
    fix: 'load the NVIDIA kernel module (`sudo modprobe nvidia`; after a kernel or driver update, reinstall the driver for the running kernel and reboot)',
  };
}

const minimumDriverVersion = [525, 60, 13];

/** True when `version` is below 525.60.13, the oldest Linux driver that runs CUDA 12.x (NVIDIA's minor-version compatibility). */
export function isDriverTooOldForCuda12(version: string): boolean {
  const parts = version.split('.').map(Number);
  for (let position = 0; position < minimumDriverVersion.length; position += 1) {
    const part = parts[position] ?? 0;
    const minimum = minimumDriverVersion[position] ?? 0;
    if (Number.isNaN(part)) return false;
    if (part !== minimum) return part < minimum;
  }
  return false;
}
