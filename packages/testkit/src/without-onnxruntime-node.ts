/**
 * A preload (`node --import <this file>`) that makes onnxruntime-node impossible to resolve in the
 * process and in every worker thread it starts (workers inherit `--import`), through both `import`
 * (a module resolve hook) and CommonJS `require` (transformers.js's Node build requires it with
 * `createRequire`) — as on a machine where it is not installed.
 */
import { createRequire, register } from 'node:module';

/** The message every blocked resolution fails with. */
const blockedMessage = 'simulated: onnxruntime-node cannot be resolved in this process';

const isBlocked = (specifier: string) => specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/');

const moduleClass = createRequire(import.meta.url)('node:module') as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
};
const resolveFilename = moduleClass._resolveFilename;
moduleClass._resolveFilename = function resolveUnlessBlocked(this: unknown, request: string, ...rest: unknown[]) {
  if (isBlocked(request)) throw Object.assign(new Error(`Cannot find module '${request}': ${blockedMessage}`), { code: 'MODULE_NOT_FOUND' });
  return resolveFilename.call(this, request, ...rest);
};

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/')) {
    throw Object.assign(new Error(${JSON.stringify(`Cannot find package 'onnxruntime-node': ${blockedMessage}`)}), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
