import type { SystemAccess } from './system-access.js';

/** The CUDA provider's files, which onnxruntime loads from the folder of its own library (the binding's folder). */
export const providerFiles = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'] as const;

/** Where onnxruntime-node keeps its native binding: `<package>/bin/napi-v6/<platform>/<arch>`. */
export function bindingFolder(runtimePackageFolder: string, platform: string, arch: string): string {
  return `${runtimePackageFolder}/bin/napi-v6/${platform}/${arch}`;
}

export async function findMissingProviderFiles(system: SystemAccess, folder: string): Promise<string[]> {
  const missing: string[] = [];
  for (const file of providerFiles) {
    if (!(await system.pathExists(`${folder}/${file}`))) missing.push(file);
  }
  return missing;
}

/**
 * The command that downloads the provider files. onnxruntime-node's `script/install.js` reads
 * ONNXRUNTIME_NODE_INSTALL (or --onnxruntime-node-install); "1"/"true"/"ON" force the download of
 * Microsoft.ML.OnnxRuntime.Gpu.Linux from NuGet into the binding folder. npm skips the
 * script when package.json's `allowScripts` sets onnxruntime-node to false, so running the script
 * directly is given as well.
 */
export function providerInstallFix(runtimePackageFolder: string | undefined): string {
  const direct = `ONNXRUNTIME_NODE_INSTALL=1 node ${runtimePackageFolder ?? 'node_modules/onnxruntime-node'}/script/install.js`;
  return `ONNXRUNTIME_NODE_INSTALL=1 npm rebuild onnxruntime-node (needs network access: it downloads the provider from NuGet; where package.json's "allowScripts" blocks onnxruntime-node's install script, run it directly: ${direct})`;
}
