/** Logical cores the browser reports (`navigator.hardwareConcurrency`); the browser build of `available-cores.js`. */
export async function availableCores(): Promise<number | undefined> {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
}
