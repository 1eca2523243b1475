import type { RequiredFile, SkillV1 } from '../skill/v1/skill-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import { modelFileSize } from '../model-source/model-files.js';
import type { ResolvedModel } from '../model-source/resolved-model.js';

/**
 * The largest weights (the ONNX files a skill needs for the dtype, with their external data)
 * that `replicas: 'auto'` copies: 32 MiB (bert-tiny and a quantized MiniLM are under it, MiniLM's
 * fp32 file is well over). A model this small does so little work per operation
 * that intra-op threads hand work back and forth for little gain, while copies, each on its own
 * threads, run batches side by side and cost little memory. Larger models split each operation
 * across threads well, and a copy costs what the model weighs.
 */
export const autoReplicaMaxWeightBytes = 32 * 1024 * 1024;

/** Bytes of the ONNX files (and their `_data` files) among a skill's required files for `dtype`; undefined when one is missing. */
async function weightBytes(model: ResolvedModel, files: readonly RequiredFile[]): Promise<number | undefined> {
  let total = 0;
  for (const entry of files) {
    // An entry with alternatives counts its first file present.
    const choices = typeof entry === 'string' ? [entry] : entry;
    const onnx = choices.filter((file) => file.endsWith('.onnx'));
    if (onnx.length === 0) continue;
    let found = false;
    for (const file of onnx) {
      const size = await modelFileSize(model, file);
      if (size === undefined) continue;
      total += size + ((await modelFileSize(model, `${file}_data`)) ?? 0);
      found = true;
      break;
    }
    if (!found) return undefined;
  }
  return total;
}

/**
 * The replicas `replicas: 'auto'` loads: one per thread of the endpoint's share (at most one per
 * pool worker) when the model's weights are at most `autoReplicaMaxWeightBytes`, else one.
 * Without at least two threads, or without weights found, one.
 */
export async function autoReplicas(options: {
  readonly skill: SkillV1;
  readonly dtype: Dtype;
  readonly model: ResolvedModel;
  readonly threads: number | undefined;
  readonly workers: number;
}): Promise<number> {
  const { threads, workers } = options;
  if (threads === undefined || threads < 2 || workers < 2) return 1;
  const weights = await weightBytes(options.model, options.skill.requiredFiles(options.dtype));
  if (weights === undefined || weights === 0 || weights > autoReplicaMaxWeightBytes) return 1;
  return Math.min(threads, workers);
}
