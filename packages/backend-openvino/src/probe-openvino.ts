import type { BackendProbe, DeviceInfo, Dtype } from '@accel/core';
import { explainLoadFailure } from './explain-load-failure.js';
import { nodeVersionProblem } from './node-version.js';
import type { OpenVinoBackendOptions } from './openvino-backend-options.js';
import type { OpenVinoCore } from './openvino-api.js';
import type { OpenVinoRuntime } from './openvino-runtime.js';
import { orderDevices, type ListedDevice } from './order-devices.js';

export const openVinoDtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8'];

interface ProbeRequest {
  readonly options: OpenVinoBackendOptions;
  readonly nodeVersion: string;
  readonly loadRuntime: () => Promise<OpenVinoRuntime>;
  readonly packageVersion: () => string | undefined;
}

function property(core: OpenVinoCore, device: string, name: string): string | undefined {
  try {
    const value = core.getProperty(device, name);
    return value === '' ? undefined : String(value);
  } catch {
    return undefined;
  }
}

function describeDevice(core: OpenVinoCore, device: string): ListedDevice {
  const deviceType = device.startsWith('GPU') ? property(core, device, 'DEVICE_TYPE') : undefined;
  return { device, name: property(core, device, 'FULL_DEVICE_NAME') ?? device, ...(deviceType === undefined ? {} : { deviceType }) };
}

function runtimeVersion({ addon, core }: OpenVinoRuntime, device: string): string | undefined {
  try {
    const version = addon.getOpenvinoVersion?.() ?? Object.values(core.getVersions(device))[0];
    return version?.buildNumber;
  } catch {
    return undefined;
  }
}

/** Measures whether OpenVINO can run here and which devices it offers, in preference order. Never throws. */
export async function probeOpenVino({ options, nodeVersion, loadRuntime, packageVersion }: ProbeRequest): Promise<BackendProbe> {
  const details = {
    performanceHint: options.performanceHint ?? 'LATENCY',
    inferencePrecision: options.inferencePrecision ?? 'device default',
    ...(options.cacheDirectory === undefined ? {} : { cacheDirectory: options.cacheDirectory }),
  };
  const unavailable = (reason: string, fix?: string, runtime?: string): BackendProbe => ({
    backend: 'openvino',
    available: false,
    reason,
    ...(fix === undefined ? {} : { fix }),
    devices: [],
    dtypes: [],
    ...(runtime === undefined ? {} : { runtime }),
    details,
  });

  const nodeProblem = nodeVersionProblem(nodeVersion);
  if (nodeProblem !== undefined) return unavailable(nodeProblem, 'use Node 22 LTS');
  let runtime: OpenVinoRuntime;
  try {
    runtime = await loadRuntime();
  } catch (error) {
    const { reason, fix } = explainLoadFailure(error);
    return unavailable(reason, fix);
  }
  const installed = packageVersion();
  const packageLabel = installed === undefined ? 'openvino-node' : `openvino-node ${installed}`;
  let listed: string[];
  try {
    listed = runtime.core.getAvailableDevices();
  } catch (error) {
    return unavailable(`OpenVINO could not list its devices: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, undefined, packageLabel);
  }
  if (listed.length === 0) return unavailable('OpenVINO found no devices', 'check that OpenVINO’s CPU plugin shipped with openvino-node', packageLabel);
  const devices: DeviceInfo[] = orderDevices(listed.map((device) => describeDevice(runtime.core, device))).map(({ device, name }) => ({ label: `openvino:${device}`, name }));
  const version = runtimeVersion(runtime, listed[0] as string);
  return {
    backend: 'openvino',
    available: true,
    devices,
    dtypes: openVinoDtypes,
    runtime: version === undefined ? packageLabel : `${packageLabel} (OpenVINO ${version})`,
    details: { ...details, openVinoDevices: listed.join(' ') },
  };
}
