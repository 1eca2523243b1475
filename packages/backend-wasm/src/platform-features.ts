/** A minimal module using one SIMD instruction (i8x16.splat): it validates only where wasm SIMD exists. */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** What the JavaScript platform offers WebAssembly: SIMD, threads (SharedArrayBuffer), logical cores. */
export function detectPlatformFeatures(): { simd: boolean; threads: boolean; cores: number | undefined } {
  const webAssembly = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  let simd: boolean;
  try {
    simd = webAssembly?.validate(simdProbe) ?? false;
  } catch {
    simd = false;
  }
  const threads = typeof SharedArrayBuffer !== 'undefined';
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return { simd, threads, cores };
}
