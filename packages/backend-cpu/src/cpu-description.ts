import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';

/** The CPU model, usable cores, and (on Linux) the vector instruction sets that matter to onnxruntime. */
export async function describeCpu(): Promise<{ model: string; cores: number; instructionSets: string[] }> {
  const model = cpus()[0]?.model.trim() || 'unknown CPU';
  let instructionSets: string[];
  try {
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.split(/\s+/) ?? []);
    instructionSets = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile'].filter((flag) => flags.has(flag));
  } catch {
    instructionSets = [];
  }
  return { model, cores: availableParallelism(), instructionSets };
}
