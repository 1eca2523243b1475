import type { OpenVinoAddon } from './openvino-api.js';

function isAddon(candidate: unknown): candidate is OpenVinoAddon {
  if (typeof candidate !== 'object' || candidate === null) return false;
  const { Core, Tensor, element } = candidate as Record<string, unknown>;
  return typeof Core === 'function' && typeof Tensor === 'function' && typeof element === 'object' && element !== null;
}

/**
 * The `addon` export of an imported openvino-node module. Its CommonJS `exports.addon` shows up
 * as a named export, and always under `default`.
 */
export function resolveAddon(namespace: unknown): OpenVinoAddon {
  const module = (namespace ?? {}) as { addon?: unknown; default?: { addon?: unknown } };
  const addon = [module.addon, module.default?.addon].find(isAddon);
  if (addon === undefined) {
    throw new Error('openvino-node was imported but exports no `addon` with Core, Tensor and element; this version of openvino-node is not supported');
  }
  return addon;
}
