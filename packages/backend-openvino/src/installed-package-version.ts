import { createRequire } from 'node:module';

/** The installed openvino-node's package version, or undefined when it cannot be read. */
export function installedPackageVersion(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url)('openvino-node/package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}
