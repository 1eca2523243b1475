import { dtypes, modelFileForDtype, type Dtype } from '../backend/v1/dtype.js';

const onnxFile = /^onnx\/([^/]+)\.onnx$/;

/** The session name and dtype of an `onnx/<session><suffix>.onnx` path, by transformers.js's suffixes. */
export function parseOnnxFile(path: string): { session: string; dtype: Dtype } | undefined {
  const stem = onnxFile.exec(path)?.[1];
  if (stem === undefined) return undefined;
  for (const dtype of dtypes) {
    if (dtype === 'fp32') continue;
    const suffix = modelFileForDtype('', dtype).slice('onnx/'.length, -'.onnx'.length);
    if (stem.endsWith(suffix) && stem.length > suffix.length) return { session: stem.slice(0, -suffix.length), dtype };
  }
  return { session: stem, dtype: 'fp32' };
}

/** ONNX external-data files that belong to `onnxPath` (`model.onnx_data`, `model.onnx_data_1`, `model.onnx.data`). */
export function externalDataOf(onnxPath: string, paths: Iterable<string>): string[] {
  const found: string[] = [];
  for (const path of paths) {
    if (path === `${onnxPath}_data` || path.startsWith(`${onnxPath}_data_`) || path === `${onnxPath}.data`) found.push(path);
  }
  return found.sort();
}

/** The dtypes each ONNX session of a repository is published in. */
export function dtypesBySession(paths: Iterable<string>): Map<string, Dtype[]> {
  const sessions = new Map<string, Dtype[]>();
  for (const path of paths) {
    const parsed = parseOnnxFile(path);
    if (parsed === undefined) continue;
    const list = sessions.get(parsed.session) ?? [];
    if (!list.includes(parsed.dtype)) list.push(parsed.dtype);
    sessions.set(parsed.session, list);
  }
  for (const list of sessions.values()) list.sort((a, b) => dtypes.indexOf(a) - dtypes.indexOf(b));
  return sessions;
}

/** Top-level JSON files: configs, tokenizers, processor settings (small; skills read them as needed). */
export function isTopLevelJson(path: string): boolean {
  return !path.includes('/') && path.endsWith('.json');
}
