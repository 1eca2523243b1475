import { UnsupportedError } from '@accel/core';

/** How a package is imported; tests pass one that hides a package, as on a machine without it. */
export type ImportModule = (specifier: string) => Promise<unknown>;

const importModule: ImportModule = (specifier) => import(specifier);

/** True when `error` says that `packageName` itself cannot be found (not a file or package it imports). */
function isNotFound(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(message).includes(`'${packageName}'`);
}

/**
 * Imports a package the CLI does not depend on at run time (an optional peer dependency). When it
 * is not installed, throws an `UnsupportedError` whose message is `<command> needs <package>: npm
 * install <package>`; any other failure to load it is rethrown as it is.
 */
export async function importOptional<Module>(packageName: string, command: string, load: ImportModule = importModule): Promise<Module> {
  try {
    return (await load(packageName)) as Module;
  } catch (error) {
    if (!isNotFound(error, packageName)) throw error;
    throw new UnsupportedError({ feature: `${command} without ${packageName}`, message: `${command} needs ${packageName}: npm install ${packageName}`, cause: error });
  }
}
