/** The model store on its own (Node only): what `accel.models` uses, for code without a registry. */
export { ModelStore, modelStoreSettings } from './model-store.js';
export { manifestFileName, readManifest } from './manifest.js';
export { isHubId } from './safe-paths.js';
