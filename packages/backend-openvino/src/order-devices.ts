/** One device as OpenVINO lists it, with what the probe learned about it. */
export interface ListedDevice {
  /** OpenVINO's device name: `CPU`, `GPU`, `GPU.1`, `NPU`, … */
  readonly device: string;
  readonly name: string;
  /** `discrete` or `integrated` for GPUs, when OpenVINO reports it. */
  readonly deviceType?: string;
}

function familyRank(device: string): number {
  const family = device.split('.')[0];
  return family === 'GPU' ? 0 : family === 'NPU' ? 1 : family === 'CPU' ? 2 : 3;
}

/** Preference order: GPUs (discrete before integrated), then NPUs, then the CPU, then anything else; ties keep OpenVINO's order. */
export function orderDevices(devices: readonly ListedDevice[]): ListedDevice[] {
  return devices
    .map((device, index) => ({ device, index }))
    .sort(
      (left, right) =>
        familyRank(left.device.device) - familyRank(right.device.device) ||
        Number(right.device.deviceType === 'discrete') - Number(left.device.deviceType === 'discrete') ||
        left.index - right.index,
    )
    .map(({ device }) => device);
}
