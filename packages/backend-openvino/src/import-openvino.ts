const packageName = 'openvino-node';

/** Imports openvino-node (an optional peer). A variable specifier keeps bundlers and TypeScript from resolving it ahead of time. */
export function importOpenVino(): Promise<unknown> {
  return import(packageName) as Promise<unknown>;
}
