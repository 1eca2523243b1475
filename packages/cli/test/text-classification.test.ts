import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

// @accel/skill-text-classification was added with no change to this package's src: accel run finds
// it in node_modules/@accel/skill-*, and its flags, help and output come from the skill itself.
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let model = '';
let folder = '';

beforeAll(async () => {
  model = (await forgeModel('Xenova/distilbert-base-uncased-finetuned-sst-2-english', { root: modelRoot })).directory;
  folder = await mkdtemp(join(tmpdir(), 'accel-cli-text-classification-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const labelLine = /^ {2}(NEGATIVE|POSITIVE)\s+(\d\.\d{4})$/;

describe('accel run text-classification', () => {
  it('prints the text and its best label with a score (topK 1 by default), then the provenance', async () => {
    const { code, stdout } = await run('run', 'text-classification', 'I love it', '--model', model, '--threads', '1');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toContain('I love it');
    expect(lines[1]).toMatch(labelLine);
    expect(lines[2]).not.toMatch(labelLine);
    expect(stdout).toMatch(/backend cpu · device cpu · dtype fp32/);
    expect(stdout).toContain('onnx/model.onnx');
  });

  it('--top-k 2 ranks both labels of each text, best first, probabilities summing to 1', async () => {
    const { code, stdout } = await run('run', 'text-classification', 'I love it', 'I hate it', '--top-k', '2', '--model', model, '--threads', '1');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    for (const start of [0, 3]) {
      const scores = lines.slice(start + 1, start + 3).map((line) => line.match(labelLine));
      expect(scores.every((match) => match !== null)).toBe(true);
      expect(scores.map((match) => match![1]).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
      expect(Number(scores[0]![2])).toBeGreaterThanOrEqual(Number(scores[1]![2]));
      expect(Number(scores[0]![2]) + Number(scores[1]![2])).toBeCloseTo(1, 3);
    }
    expect(lines[0]).toContain('I love it');
    expect(lines[3]).toContain('I hate it');
  });

  it('reads a text with --input-file and names it by its path; --json prints the output', async () => {
    const file = join(folder, 'review.txt');
    await writeFile(file, 'The soup was cold.');
    const { code, stdout } = await run('run', 'text-classification', '--input-file', file, '--model', model, '--json', '--threads', '1');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { output: { classifications: Array<Array<{ label: string; score: number }>> } };
    expect(result.output.classifications).toHaveLength(1);
    expect(['NEGATIVE', 'POSITIVE']).toContain(result.output.classifications[0]![0]!.label);
  });

  it("refuses a bad option with the schema's message", async () => {
    const { code, stderr } = await run('run', 'text-classification', 'fine', '--top-k', '0', '--model', model);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/topK/);
  });

  it('--help lists the option flags from the schema', async () => {
    const { code, stdout } = await run('run', 'text-classification', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('@accel/skill-text-classification');
    const line = (flag: string) => stdout.split('\n').find((text) => text.trimStart().startsWith(flag)) ?? '';
    expect(line('--top-k <number>')).toMatch(/how many labels to return per text.*1/);
    expect(line('--function-to-apply')).toMatch(/softmax.*sigmoid.*none/);
    expect(stdout).toContain('--input-file');
  });

  it('accel --help lists the skill', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/skills: .*\btext-classification\b/);
  });
});
