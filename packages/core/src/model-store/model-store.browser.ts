import { UnsupportedError } from '../errors/unsupported-error.js';

/**
 * The browser build of `model-store.js`: the model store (pull, list, remove, verify, export-car)
 * manages a cache folder on disk, which a browser has not. Hub models loaded in a browser are kept
 * in the Cache API instead (see `resolve-model-source.browser.js`).
 */
export class ModelStore {
  constructor() {
    throw new UnsupportedError({
      feature: 'the model store in a browser',
      message: 'accel.models (pull, list, remove, verify, exportCar) manages a folder on disk and runs in Node only; in a browser hub models are cached in the Cache API as endpoints load them',
    });
  }
}
