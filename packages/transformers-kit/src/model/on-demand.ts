/**
 * A part of a loaded model that only some requests need (CLIP's text tower, its vision tower),
 * loaded by the first request that asks for it.
 */
export interface OnDemand<T> {
  /** The part, loading it on the first call; calls made while it loads share that load. A failed load is forgotten, so the next call tries again. */
  get(): Promise<T>;
  /** True once a load has succeeded (and the part was not disposed). */
  readonly loaded: boolean;
  /** Waits for a load in flight, releases the part if it loaded, and refuses later `get` calls. */
  dispose(): Promise<void>;
}

/**
 * Wraps `load` so it runs at most once at a time and its result is kept until `dispose`, which
 * hands it to `release`. For skills whose sessions serve different requests: the session opened
 * through the load context inside `load` joins the endpoint's files and provenance when it loads.
 */
export function onDemand<T>(load: () => Promise<T>, release: (part: T) => Promise<void> | void): OnDemand<T> {
  let pending: Promise<T> | undefined;
  let part: { value: T } | undefined;
  let disposed = false;
  return {
    get() {
      if (disposed) return Promise.reject(new Error('this model part was released (the endpoint is being removed)'));
      pending ??= load().then(
        (value) => {
          part = { value };
          return value;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    get loaded() {
      return part !== undefined && !disposed;
    },
    async dispose() {
      disposed = true;
      await pending?.catch(() => undefined);
      const loaded = part;
      part = undefined;
      if (loaded !== undefined) await release(loaded.value);
    },
  };
}
