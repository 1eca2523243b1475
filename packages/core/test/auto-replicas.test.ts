import { mkdir, mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedModel } from '../src/model-source/resolved-model.js';
import { autoReplicaMaxWeightBytes, autoReplicas } from '../src/registry/auto-replicas.js';
import type { SkillV1 } from '../src/skill/v1/skill-v1.js';

/** A model folder whose files have the given sizes (sparse files: nothing is written). */
async function folder(sizes: Record<string, number>): Promise<ResolvedModel> {
  const directory = await mkdtemp(join(tmpdir(), 'accel-auto-replicas-'));
  await mkdir(join(directory, 'onnx'));
  for (const [file, size] of Object.entries(sizes)) {
    await writeFile(join(directory, file), '');
    await truncate(join(directory, file), size);
  }
  return { id: 'fixture', directory, source: 'folder' };
}

const skillNeeding = (files: SkillV1['requiredFiles']) => ({ requiredFiles: files }) as unknown as SkillV1;
const encoder = skillNeeding((dtype) => ['config.json', dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx']);
const mib = 1024 * 1024;

describe("replicas: 'auto'", () => {
  it('loads one copy per thread, at most one per worker, when the weights for the dtype are at most 32 MiB', async () => {
    const model = await folder({ 'config.json': 10, 'onnx/model.onnx': 90 * mib, 'onnx/model_quantized.onnx': 23 * mib });
    expect(await autoReplicas({ skill: encoder, dtype: 'q8', model, threads: 2, workers: 2 })).toBe(2);
    expect(await autoReplicas({ skill: encoder, dtype: 'q8', model, threads: 16, workers: 4 })).toBe(4);
    expect(await autoReplicas({ skill: encoder, dtype: 'fp32', model, threads: 2, workers: 2 })).toBe(1);
  });

  it('counts external data and every session a skill needs, and takes the first alternative present', async () => {
    const half = autoReplicaMaxWeightBytes / 2;
    const model = await folder({ 'onnx/a.onnx': half, 'onnx/a.onnx_data': half, 'onnx/b.onnx': 1, 'onnx/c_fp16.onnx': 1 });
    expect(await autoReplicas({ skill: skillNeeding(() => ['onnx/a.onnx']), dtype: 'fp32', model, threads: 2, workers: 2 })).toBe(2);
    expect(await autoReplicas({ skill: skillNeeding(() => ['onnx/a.onnx', 'onnx/b.onnx']), dtype: 'fp32', model, threads: 2, workers: 2 })).toBe(1);
    expect(await autoReplicas({ skill: skillNeeding(() => [['onnx/c.onnx', 'onnx/c_fp16.onnx'], 'onnx/b.onnx']), dtype: 'fp32', model, threads: 2, workers: 2 })).toBe(2);
  });

  it('keeps one copy with one thread or one worker, and when the weights are missing or empty', async () => {
    const model = await folder({ 'onnx/model.onnx': mib, 'onnx/empty.onnx': 0 });
    expect(await autoReplicas({ skill: encoder, dtype: 'fp32', model, threads: 1, workers: 4 })).toBe(1);
    expect(await autoReplicas({ skill: encoder, dtype: 'fp32', model, threads: undefined, workers: 4 })).toBe(1);
    expect(await autoReplicas({ skill: encoder, dtype: 'fp32', model, threads: 4, workers: 1 })).toBe(1);
    expect(await autoReplicas({ skill: encoder, dtype: 'q8', model, threads: 2, workers: 2 })).toBe(1);
    expect(await autoReplicas({ skill: skillNeeding(() => ['onnx/empty.onnx']), dtype: 'fp32', model, threads: 2, workers: 2 })).toBe(1);
  });
});
