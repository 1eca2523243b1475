/**
 * Runs `load` once and shares its promise; a rejected load is forgotten so the next call retries.
 * Backends use it to import native runtimes lazily: `const loadRuntime = memoizeAsync(() => import('onnxruntime-node'))`.
 */
export function memoizeAsync<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
