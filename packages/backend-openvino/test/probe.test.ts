import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@accel/core';
import { describe, expect, it, vi } from 'vitest';
import { createOpenVinoBackendWithSeams, type OpenVinoSeams } from '../src/create-openvino-backend.js';
import { explainLoadFailure } from '../src/explain-load-failure.js';
import { createOpenVinoBackend } from '../src/index.js';
import { createOpenVinoStandIn } from './openvino-stand-in.js';
import { supportedNodeVersion } from './stand-in-backend.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const nodeMajor = Number(process.versions.node.split('.')[0]);
const openVinoResolvable = (() => {
  try {
    createRequire(import.meta.url).resolve('openvino-node');
    return true;
  } catch {
    return false;
  }
})();

/** The test's name, and — where it does not run — why it is skipped. */
const gated = (runs: boolean, name: string, skippedBecause: string) => (runs ? name : `${name} (skipped: ${skippedBecause})`);
const oldNode = nodeMajor < 21;
const newNodeWithout = nodeMajor >= 21 && !openVinoResolvable;
const newNodeWith = nodeMajor >= 21 && openVinoResolvable;
const thisNode = `this is Node.js ${process.version}`;
const openVinoState = openVinoResolvable ? 'openvino-node is installed here' : 'openvino-node is not installed here';

function withError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function seams(importOpenVino: () => Promise<unknown>, nodeVersion = supportedNodeVersion): OpenVinoSeams {
  return { importOpenVino, nodeVersion, packageVersion: () => undefined };
}

describe('probe on this machine (real Node.js version, real import of openvino-node)', () => {
  it.runIf(oldNode)(gated(oldNode, 'says openvino-node needs Node.js ≥ 21, and names this version', thisNode), async () => {
    const probe = await createOpenVinoBackend().probe();
    expect(probe).toMatchObject({
      backend: 'openvino',
      available: false,
      reason: `openvino-node requires Node.js ≥ 21; this is ${process.version}`,
      fix: 'use Node 22 LTS',
      devices: [],
      dtypes: [],
    });
  });

  it.runIf(oldNode)(gated(oldNode, 'refuses to create sessions with the same reason', thisNode), async () => {
    const error = await createOpenVinoBackend()
      .doCreateSession({ file: '/nonexistent/model.onnx', device: 'openvino:CPU', dtype: 'fp32' })
      .catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as BackendUnavailableError).reason).toBe(`openvino-node requires Node.js ≥ 21; this is ${process.version}`);
  });

  it.runIf(newNodeWithout)(gated(newNodeWithout, 'says openvino-node is not installed', `${thisNode} and ${openVinoState}`), async () => {
    expect(await createOpenVinoBackend().probe()).toMatchObject({ available: false, reason: 'openvino-node is not installed', fix: 'npm install openvino-node' });
  });

  it.runIf(newNodeWith)(gated(newNodeWith, 'with openvino-node installed on Node.js ≥ 21: probe is available and lists openvino:CPU', `${thisNode} and ${openVinoState}`), async () => {
    // openvino-node ships the CPU plugin, so a working install always has this device.
    const probe = await createOpenVinoBackend().probe();
    expect(probe.reason).toBeUndefined();
    expect(probe.available).toBe(true);
    expect(probe.devices.map((device) => device.label)).toContain('openvino:CPU');
    expect(probe.dtypes).toContain('fp32');
  });

  it.runIf(!openVinoResolvable)(gated(!openVinoResolvable, 'Node’s own error for the missing package (from a plain node process) is explained as not installed', openVinoState), () => {
    const script = "try { await import('openvino-node'); console.log('{}') } catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })) }";
    const output = execFileSync(process.execPath, ['--input-type=module', '--eval', script], { cwd: packageDirectory, encoding: 'utf8' });
    const { code, message } = JSON.parse(output) as { code?: string; message?: string };
    expect(code).toBe('ERR_MODULE_NOT_FOUND');
    expect(explainLoadFailure(withError(message ?? '', code ?? ''))).toEqual({ reason: 'openvino-node is not installed', fix: 'npm install openvino-node' });
  });

  it.runIf(!openVinoResolvable)(gated(!openVinoResolvable, 'the package imports although openvino-node is not installed here: nothing imports it eagerly', openVinoState), async () => {
    const module = await import('../src/index.js');
    expect(Object.keys(module)).toEqual(['createOpenVinoBackend']);
  });
});

describe('probe with the Node.js version and the import injected through the internal seams (not OpenVINO)', () => {
  it('checks the Node.js version before importing anything', async () => {
    const load = vi.fn(async () => ({}));
    const probe = await createOpenVinoBackendWithSeams({}, seams(load, 'v20.11.1')).probe();
    expect(probe.reason).toBe('openvino-node requires Node.js ≥ 21; this is v20.11.1');
    expect(load).not.toHaveBeenCalled();
  });

  it('imports nothing until it is probed or asked for a session', async () => {
    const load = vi.fn(async () => ({}));
    createOpenVinoBackendWithSeams({}, seams(load));
    expect(load).not.toHaveBeenCalled();
  });

  it('package not installed (ERR_MODULE_NOT_FOUND): says so and gives the install command', async () => {
    const error = withError("Cannot find package 'openvino-node' imported from /app/node_modules/@accel/backend-openvino/dist/import-openvino.js", 'ERR_MODULE_NOT_FOUND');
    const probe = await createOpenVinoBackendWithSeams({}, seams(() => Promise.reject(error))).probe();
    expect(probe).toMatchObject({ available: false, reason: 'openvino-node is not installed', fix: 'npm install openvino-node', devices: [], dtypes: [] });
  });

  it('runtime library missing (libopenvino.so): quotes the loader and says how to download the runtime', async () => {
    const loaderMessage = 'libopenvino.so.2600: cannot open shared object file: No such file or directory';
    const error = withError(loaderMessage, 'ERR_DLOPEN_FAILED');
    const probe = await createOpenVinoBackendWithSeams({}, seams(() => Promise.reject(error))).probe();
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(`openvino-node is installed but its OpenVINO runtime library could not be loaded: ${loaderMessage}`);
    expect(probe.fix).toMatch(/downloads its runtime .* when it is installed/);
    expect(probe.fix).toMatch(/npm rebuild openvino-node/);
  });

  it('a bundler’s wording of the missing package (Vite, esbuild) is also read as not installed', () => {
    expect(explainLoadFailure(new Error('Could not resolve "openvino-node" imported by "@accel/backend-openvino".')).reason).toBe('openvino-node is not installed');
  });

  it('native addon never downloaded (ov_node_addon.node missing): says so with the same fix', async () => {
    const error = withError("Cannot find module '../bin/ov_node_addon.node'\nRequire stack:\n- /app/node_modules/openvino-node/dist/addon.js", 'MODULE_NOT_FOUND');
    const probe = await createOpenVinoBackendWithSeams({}, seams(() => Promise.reject(error))).probe();
    expect(probe.reason).toBe("openvino-node is installed but its native runtime was never downloaded: Cannot find module '../bin/ov_node_addon.node'");
    expect(probe.fix).toMatch(/npm rebuild openvino-node/);
  });

  it('a module without the expected `addon` export is reported, not thrown', async () => {
    const probe = await createOpenVinoBackendWithSeams({}, seams(async () => ({ default: {} }))).probe();
    expect(probe).toMatchObject({ available: false });
    expect(probe.reason).toMatch(/exports no `addon`/);
  });

  it('with the stand-in: available, its devices labelled openvino:* in preference order (GPU before CPU)', async () => {
    const { namespace } = createOpenVinoStandIn({ devices: { CPU: { name: 'Stand-in CPU' }, GPU: { name: 'Stand-in GPU' } } });
    const probe = await createOpenVinoBackendWithSeams({}, seams(async () => namespace)).probe();
    expect(probe).toMatchObject({
      backend: 'openvino',
      available: true,
      devices: [
        { label: 'openvino:GPU', name: 'Stand-in GPU' },
        { label: 'openvino:CPU', name: 'Stand-in CPU' },
      ],
      dtypes: ['fp32', 'fp16', 'q8'],
      runtime: 'openvino-node (OpenVINO stand-in)',
      details: { performanceHint: 'LATENCY', inferencePrecision: 'device default', openVinoDevices: 'CPU GPU' },
    });
    expect(probe.reason).toBeUndefined();
  });

  it('orders several GPUs discrete first, then the NPU, then the CPU', async () => {
    const { namespace } = createOpenVinoStandIn({
      devices: {
        CPU: { name: 'Stand-in CPU' },
        'GPU.0': { name: 'Stand-in iGPU', deviceType: 'integrated' },
        'GPU.1': { name: 'Stand-in dGPU', deviceType: 'discrete' },
        NPU: { name: 'Stand-in NPU' },
      },
    });
    const probe = await createOpenVinoBackendWithSeams({}, { ...seams(async () => namespace), packageVersion: () => '2026.4.0' }).probe();
    expect(probe.devices.map(({ label }) => label)).toEqual(['openvino:GPU.1', 'openvino:GPU.0', 'openvino:NPU', 'openvino:CPU']);
    expect(probe.runtime).toBe('openvino-node 2026.4.0 (OpenVINO stand-in)');
  });

  it('a Core that cannot list devices is reported, not thrown', async () => {
    const { namespace } = createOpenVinoStandIn();
    namespace.addon.Core.prototype.getAvailableDevices = () => {
      throw new Error('plugin registry is broken');
    };
    const probe = await createOpenVinoBackendWithSeams({}, seams(async () => namespace)).probe();
    expect(probe).toMatchObject({ available: false, reason: 'OpenVINO could not list its devices: plugin registry is broken' });
  });
});
