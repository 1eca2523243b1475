const runtimeFix =
  'openvino-node downloads its runtime (ov_node_addon.node and the libopenvino libraries) when it is installed: ' +
  'with network access to storage.openvinotoolkit.org and its install script allowed, run `npm rebuild openvino-node` ' +
  '(or `node node_modules/openvino-node/scripts/download-runtime.js --force`)';

const sharedLibraryPatterns = [
  /cannot open shared object file/i,
  /\blib[\w.+-]*\.so(\.\d+)*\b/i,
  /\.dylib\b/i,
  /\.dll\b/i,
  /Library not loaded/i,
  /The specified module could not be found/i,
  /undefined symbol/i,
];

/** Why importing openvino-node failed, and what fixes it, from the error the import threw. */
export function explainLoadFailure(error: unknown): { reason: string; fix: string } {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (code === 'ERR_DLOPEN_FAILED' || sharedLibraryPatterns.some((pattern) => pattern.test(firstLine))) {
    return { reason: `openvino-node is installed but its OpenVINO runtime library could not be loaded: ${firstLine}`, fix: runtimeFix };
  }
  if (/ov_node_addon/.test(message)) {
    return { reason: `openvino-node is installed but its native runtime was never downloaded: ${firstLine}`, fix: runtimeFix };
  }
  const notFound = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /openvino-node/.test(firstLine);
  // Bundlers and module runners (Vite, esbuild) word it their own way, without a code.
  if (notFound || /Could not resolve ["']openvino-node["']/.test(firstLine)) {
    return { reason: 'openvino-node is not installed', fix: 'npm install openvino-node' };
  }
  return { reason: `openvino-node could not be loaded: ${firstLine}`, fix: 'npm install openvino-node (Node.js ≥ 21, Linux, macOS or Windows)' };
}
