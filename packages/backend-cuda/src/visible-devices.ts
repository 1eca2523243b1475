import type { PhysicalGpu } from './nvidia-driver.js';

/** A GPU that CUDA in this process can use: `deviceId` is CUDA's device number, `label` is `cuda:<deviceId>`. */
export interface VisibleGpu extends PhysicalGpu {
  readonly deviceId: number;
  readonly label: string;
}

export interface VisibleDevices {
  readonly gpus: readonly VisibleGpu[];
  /** How CUDA_VISIBLE_DEVICES mapped labels to GPUs, when it is set. */
  readonly note?: string;
}

function identify(entry: string, gpus: readonly PhysicalGpu[]): PhysicalGpu | undefined {
  if (/^\d+$/.test(entry)) return gpus.find((gpu) => gpu.index === Number(entry));
  if (/^GPU-/i.test(entry)) {
    const matches = gpus.filter((gpu) => gpu.uuid?.toLowerCase().startsWith(entry.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  }
  // MIG-… instances and anything else cannot be mapped to a listed GPU.
  return undefined;
}

/**
 * Applies CUDA_VISIBLE_DEVICES as the CUDA runtime does: the listed GPUs (by index or by a unique
 * UUID prefix) become devices 0, 1, … in the order listed; listing stops at the first entry that
 * names no GPU (or repeats one); an empty value hides every GPU. Unset: every GPU, in order.
 */
export function applyVisibleDevices(gpus: readonly PhysicalGpu[], value: string | undefined): VisibleDevices {
  if (value === undefined) {
    return { gpus: gpus.map((gpu, deviceId) => ({ ...gpu, deviceId, label: `cuda:${deviceId}` })) };
  }
  const visible: VisibleGpu[] = [];
  let stoppedAt: string | undefined;
  for (const entry of value.split(',').map((part) => part.trim())) {
    const gpu = identify(entry, gpus);
    if (gpu === undefined || visible.some((candidate) => candidate.index === gpu.index)) {
      stoppedAt = entry;
      break;
    }
    visible.push({ ...gpu, deviceId: visible.length, label: `cuda:${visible.length}` });
  }
  const mapping = visible.map((gpu) => `${gpu.label}=GPU ${gpu.index}`).join(', ');
  const stopped = stoppedAt === undefined ? '' : `; "${stoppedAt}" names no listed GPU, so CUDA ignores it and every entry after it`;
  return { gpus: visible, note: `CUDA_VISIBLE_DEVICES="${value}": ${mapping || 'no GPU visible'}${stopped}` };
}
