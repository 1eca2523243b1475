import { copyFileSync, mkdirSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/** COOP + COEP: the page is cross-origin isolated, so SharedArrayBuffer exists and WebAssembly runs threads. */
export const isolationHeaders = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Modules that must never reach the browser bundle: Node's built-ins and the Node-only libraries accel uses there. */
const nodeOnly = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`), 'sharp', 'audio-decode', 'onnxruntime-node']);

/**
 * Fails the build when anything imports a Node-only module (vite would otherwise swap in an empty
 * "browser-external" stub with a warning): the bundle builds with no Node polyfills.
 */
export function noNodeModules(): Plugin {
  return {
    name: 'accel:no-node-modules',
    enforce: 'pre',
    resolveId(source, importer) {
      if (nodeOnly.has(source) || nodeOnly.has(source.split('/')[0]!)) {
        this.error(`${importer ?? 'an entry'} imports the Node-only module "${source}", which must stay out of the browser bundle`);
      }
      return null;
    },
  };
}

/**
 * Serves onnxruntime-web's WebAssembly glue and binary under /ort/ (the backend's `wasmPaths`):
 * its pthread workers load the small `.mjs` from there, not the app's bundle.
 */
export function onnxRuntimeFiles(): Plugin {
  // The copy @accel/backend-wasm itself imports (transformers.js carries another version of its own).
  const fromBackend = createRequire(createRequire(import.meta.url).resolve('@accel/backend-wasm/package.json'));
  const dist = dirname(fromBackend.resolve('onnxruntime-web'));
  const files = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
  let outDir = 'dist';
  return {
    name: 'accel:onnxruntime-files',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle() {
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const file of files) copyFileSync(join(dist, file), join(outDir, 'ort', file));
    },
  };
}

export default defineConfig({
  // onnxruntime-web's build that loads its .wasm from wasmPaths instead of embedding a copy.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  build: { modulePreload: { polyfill: false }, target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es', plugins: () => [noNodeModules()] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [noNodeModules(), onnxRuntimeFiles()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
