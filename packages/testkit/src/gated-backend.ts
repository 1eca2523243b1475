import type { BackendV1 } from '@accel/core';

/**
 * `inner`, whose sessions wait for `open()` before loading: a test decides when an endpoint
 * finishes loading (requests queue meanwhile). It names no worker source, so endpoints on it run
 * inline.
 */
export function gatedBackend(inner: BackendV1): { backend: BackendV1; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const backend: BackendV1 = {
    specificationVersion: 'v1',
    name: inner.name,
    packageName: inner.packageName,
    probe: () => inner.probe(),
    doCreateSession: async (options) => {
      await gate;
      return inner.doCreateSession(options);
    },
    ...(inner.classifyError === undefined ? {} : { classifyError: (error: unknown, device: string) => inner.classifyError!(error, device) }),
  };
  return { backend, open };
}
