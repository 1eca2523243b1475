import { BackendUnavailableError, classifyRuntimeError, InvalidInputError, memoizeAsync, UnsupportedError, type BackendProbe, type BackendV1, type CreateSessionOptions } from '@accel/core';
import { compileModel } from './compile-model.js';
import { compileProperties } from './compile-properties.js';
import { importOpenVino } from './import-openvino.js';
import { installedPackageVersion } from './installed-package-version.js';
import type { OpenVinoBackendOptions } from './openvino-backend-options.js';
import type { OpenVinoRuntime } from './openvino-runtime.js';
import { createOpenVinoSession } from './openvino-session.js';
import { openVinoDtypes, probeOpenVino } from './probe-openvino.js';
import { resolveAddon } from './resolve-addon.js';
import { validateOptions } from './validate-options.js';

const labelPrefix = 'openvino:';

// ---------------------------------------------------------------------------------------------
// INTERNAL TEST SEAM — not exported from the package. Tests replace how openvino-node is imported
// and which Node.js version the probe checks, so the probe's branches and the session adapter can
// be exercised on machines where OpenVINO cannot run. A stand-in injected here is not OpenVINO.
// ---------------------------------------------------------------------------------------------
export interface OpenVinoSeams {
  /** Resolves to the `openvino-node` module namespace. */
  readonly importOpenVino: () => Promise<unknown>;
  /** `process.version` of the Node.js that will load openvino-node. */
  readonly nodeVersion: string;
  /** The installed openvino-node's version, for the probe's `runtime`. */
  readonly packageVersion: () => string | undefined;
}

const defaultSeams: OpenVinoSeams = {
  importOpenVino,
  nodeVersion: process.version,
  packageVersion: installedPackageVersion,
};

/** The OpenVINO backend: openvino-node (an optional peer, imported on first use) on CPU, GPU and NPU. */
export function createOpenVinoBackend(options: OpenVinoBackendOptions = {}): BackendV1 {
  const source = { module: '@accel/backend-openvino', exportName: 'createOpenVinoBackend', options: { ...options } };
  return { ...createOpenVinoBackendWithSeams(options, defaultSeams), source };
}

/** INTERNAL: `createOpenVinoBackend` with its seams replaced. For this package's tests only. */
export function createOpenVinoBackendWithSeams(options: OpenVinoBackendOptions, seams: OpenVinoSeams): BackendV1 {
  validateOptions(options);
  const loadRuntime = memoizeAsync(async (): Promise<OpenVinoRuntime> => {
    const addon = resolveAddon(await seams.importOpenVino());
    return { addon, core: new addon.Core() };
  });
  let probed: Promise<BackendProbe> | undefined;
  const probe = (): Promise<BackendProbe> =>
    (probed ??= probeOpenVino({ options, nodeVersion: seams.nodeVersion, loadRuntime, packageVersion: seams.packageVersion }));

  return {
    specificationVersion: 'v1',
    name: 'openvino',
    packageName: '@accel/backend-openvino',
    probe,
    async doCreateSession({ file, device, dtype, threads }: CreateSessionOptions) {
      const found = await probe();
      if (!found.available) {
        throw new BackendUnavailableError({ backend: 'openvino', reason: found.reason ?? 'probe reported unavailable', ...(found.fix === undefined ? {} : { fix: found.fix }) });
      }
      const label = device === 'openvino' ? found.devices[0]?.label : device;
      if (label === undefined || !label.startsWith(labelPrefix) || !found.devices.some((candidate) => candidate.label === label)) {
        throw new BackendUnavailableError({ backend: 'openvino', reason: `no device ${device} (found ${found.devices.map((candidate) => candidate.label).join(', ') || 'none'})` });
      }
      if (!openVinoDtypes.includes(dtype)) {
        throw new UnsupportedError({ feature: `dtype ${dtype} on backend openvino (supports ${openVinoDtypes.join(', ')})` });
      }
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
        throw new InvalidInputError({ reason: `threads must be a positive integer, got ${threads}` });
      }
      const runtime = await loadRuntime();
      const openVinoDevice = label.slice(labelPrefix.length);
      const model = await compileModel({ runtime, file, device: openVinoDevice, label, properties: compileProperties(options, openVinoDevice, threads) });
      return createOpenVinoSession(runtime.addon, model, label);
    },
    classifyError: classifyRuntimeError,
  };
}
