import type { BackendV1 } from '@accel/core';

/**
 * `inner`, whose sessions wait `delayMs` before each run (only those whose file `paces` accepts,
 * default all): a generation then takes about `delayMs` per token on any machine, so a test can act
 * mid-generation (abort it, time it out, outlive an ack wait) without depending on the CPU's speed.
 * The outputs are `inner`'s own. It names no worker source, so endpoints on it run inline.
 */
export function pacedBackend(inner: BackendV1, delayMs: number, paces: (file: string) => boolean = () => true): BackendV1 {
  return {
    specificationVersion: 'v1',
    name: inner.name,
    packageName: inner.packageName,
    probe: () => inner.probe(),
    doCreateSession: async (options) => {
      const session = await inner.doCreateSession(options);
      if (!paces(options.file)) return session;
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        inputMetadata: session.inputMetadata,
        outputMetadata: session.outputMetadata,
        ...(session.threads === undefined ? {} : { threads: session.threads }),
        run: async (feeds) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return session.run(feeds);
        },
        release: () => session.release(),
      };
    },
    ...(inner.classifyError === undefined ? {} : { classifyError: (error: unknown, device: string) => inner.classifyError!(error, device) }),
  };
}
