import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const run = promisify(execFile);

interface ChildResult {
  readonly embedding: number[];
  readonly backend: string;
  readonly notes: Array<{ kind: string; message: string; input?: number }>;
}

describe('a process started with 100,000 characters of arguments', () => {
  it('embeds that text on cpu (worker and inline) and wasm, truncated with a provenance note', async () => {
    const { directory } = await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot });
    const text = 'the cat sat on the mat. '.repeat(4_200).slice(0, 100_000);
    const { stdout } = await run(process.execPath, [new URL('./fixtures/embed-long-argument.mjs', import.meta.url).pathname, directory, text], {
      cwd: new URL('..', import.meta.url).pathname,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: number; signal?: string; stderr?: string }) => {
      // The error's message repeats the whole command line; say only how the child ended.
      throw new Error(`the child process ended with code ${error.code} (signal ${error.signal}): ${error.stderr?.slice(-2_000) ?? ''}`);
    });
    const child = JSON.parse(stdout) as { argumentLength: number; results: Record<string, ChildResult> };
    expect(child.argumentLength).toBe(100_000);
    expect(Object.keys(child.results)).toEqual(['cpu-worker', 'cpu-inline', 'wasm']);
    const reference = child.results['cpu-worker']!;
    for (const [endpoint, result] of Object.entries(child.results)) {
      expect(result.backend, endpoint).toBe(endpoint === 'wasm' ? 'wasm' : 'cpu');
      expect(result.embedding, endpoint).toHaveLength(32);
      expect(result.notes, endpoint).toEqual([expect.objectContaining({ kind: 'truncated', message: expect.stringMatching(/^truncated from \d+ to 128 tokens/) })]);
      result.embedding.forEach((value, index) => expect(Math.abs(value - reference.embedding[index]!), `${endpoint}[${index}]`).toBeLessThan(1e-4));
    }
  });
});
