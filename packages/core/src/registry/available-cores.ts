/** Logical cores of this machine: the browser's `navigator.hardwareConcurrency`, else Node's `availableParallelism()`. */
export async function availableCores(): Promise<number | undefined> {
  const navigatorCores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (navigatorCores !== undefined) return navigatorCores;
  try {
    return (await import('node:os')).availableParallelism();
  } catch {
    return undefined;
  }
}
