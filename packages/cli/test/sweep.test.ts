import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Accel } from '@accel/core';
import { createCpuBackend } from '@accel/backend-cpu';
import { forgeModel, presetIds } from '@accel/model-forge';
import { bertSkill } from '@accel/skill-bert';
import { gpt2Skill } from '@accel/skill-gpt2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareEntry, toExpected, type ExpectedEntry } from '../src/sweep/compare-expected.js';
import { chooseSkill, type SweepEntryResult } from '../src/sweep/run-sweep.js';
import { installedSkills } from '../src/skill-packages.js';
import type { SweepSummary } from '../src/sweep/sweep-report.js';
import type { VectorSummary } from '../src/sweep/summarize.js';
import { run } from './run-cli.js';

const forgedMap = new URL('./sweep/forged-map.json', import.meta.url).pathname;
const expectedFolder = new URL('./sweep/expected', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const hidePackages = new URL('./hide-packages.mjs', import.meta.url).pathname;
/** Forged once per machine; `forgeModel` returns at once when a folder is already complete. */
const models = join(tmpdir(), 'accel-sweep-test-models');

let scratch: string;
let out: string;

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** Runs the built `accel` in a new process in which the given packages cannot be found (as if not installed). */
async function accelWithout(hidden: readonly string[], ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', hidePackages, bin, ...argv], { env: { ...process.env, ACCEL_HIDE_PACKAGES: hidden.join(',') } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'accel-sweep-'));
  out = join(scratch, 'out');
  for (const id of presetIds) await forgeModel(id, { root: models, size: 'tiny' });
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the forged map', () => {
  it('names one forge preset for every model_type the forge writes, and only presets for the types it runs', async () => {
    const presetsByType = new Map<string, string[]>();
    for (const id of presetIds) {
      const { model_type: type } = await readJson<{ model_type: string }>(join(models, id, 'config.json'));
      presetsByType.set(type, [...(presetsByType.get(type) ?? []), id]);
    }
    const map = await readJson<Record<string, string | { model?: string; unsupported?: string }>>(forgedMap);
    const served = Object.entries(map).filter(([key, value]) => !key.startsWith('$') && !(typeof value === 'object' && value.unsupported !== undefined));
    expect(new Set(served.map(([type]) => type).filter((type) => presetsByType.has(type)))).toEqual(new Set(presetsByType.keys()));
    for (const [type, value] of served) {
      if (!presetsByType.has(type)) continue;
      expect(presetsByType.get(type)).toContain(typeof value === 'string' ? value : value.model);
    }
  });
});

describe('mapped-models.json (the map a user with network sweeps)', () => {
  it('marks unsupported exactly the types no installed skill runs, and records how each served checkpoint was checked', async () => {
    const map = await readJson<Record<string, { model?: string; skill?: string; unsupported?: string; checked?: string }>>(new URL('../../../mapped-models.json', import.meta.url).pathname);
    const verified = new Set(Object.values((await readJson<{ skills: Record<string, { repo: string; status: string }> }>(new URL('../../../docs/default-models.json', import.meta.url).pathname)).skills).filter((entry) => entry.status === 'verified').map((entry) => entry.repo));
    const skills = await installedSkills();
    const entries = Object.entries(map).filter(([key]) => !key.startsWith('$'));
    expect(entries.length).toBe(47);
    for (const [modelType, entry] of entries) {
      const chosen = chooseSkill({ modelType, ...(entry.skill === undefined ? {} : { skill: entry.skill }) }, skills);
      if (entry.unsupported === undefined) {
        expect('skill' in chosen, `${modelType}: ${'unsupported' in chosen ? chosen.unsupported : ''}`).toBe(true);
        expect(entry.checked, modelType).toMatch(/^(verified|unverified): /);
        if (entry.checked!.startsWith('verified')) expect(verified, modelType).toContain(entry.model);
      } else if (chosen.servedBy.length > 0) {
        // A served type is marked unsupported only for want of a checkpoint, and the reason names the skill.
        expect(chosen.servedBy.some((name) => entry.unsupported!.includes(`the ${name} skill serves it`)), `${modelType}: ${entry.unsupported}`).toBe(true);
      }
    }
  });
});

describe('accel sweep over the forged map', () => {
  let summary: SweepSummary;

  beforeAll(async () => {
    const { code, stdout, stderr } = await run('sweep', '--map', forgedMap, '--cache-dir', models, '--offline', '--out', out, '--expect', expectedFolder, '--backends', 'cpu,wasm,cuda,openvino');
    expect(stderr.split('\n').filter((line) => line.startsWith('regression'))).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).toContain('| model_type | checkpoint | skill | cpu | wasm | cuda | openvino |');
    summary = await readJson<SweepSummary>(join(out, 'sweep.json'));
  }, 240_000);

  it('passes against the committed expected results, every served type on cpu and wasm, cuda and openvino skipped with their reason or passed', () => {
    expect(summary.comparison?.regressions).toBe(0);
    const served = summary.entries.filter((entry) => entry.unsupported === undefined);
    expect(served.length).toBeGreaterThanOrEqual(13);
    for (const entry of served) {
      expect(entry.cells.cpu, entry.modelType).toBe('passed');
      expect(entry.cells.wasm, entry.modelType).toBe('passed');
      for (const backend of ['cuda', 'openvino']) expect(entry.cells[backend], `${entry.modelType} × ${backend}`).toMatch(/^(passed|skipped: .{10,})$/);
    }
    expect(summary.entries.find((entry) => entry.modelType === 'bart')?.unsupported).toBe('no installed skill serves model_type bart');
    expect(summary.entries.find((entry) => entry.modelType === 'vit')?.unsupported).toBe('no skill runs image classification yet');
  });

  it('writes one collected JSON per entry whose provenance names the cell backend, with timings and memory', async () => {
    for (const entry of summary.entries) {
      const collected = await readJson<SweepEntryResult>(join(out, entry.file));
      expect(collected.modelType).toBe(entry.modelType);
      for (const cell of collected.cells.filter((candidate) => candidate.status === 'passed')) {
        expect(cell.provenance?.backend).toBe(cell.backend);
        expect(cell.provenance?.model.files.some((file) => file.endsWith('.onnx'))).toBe(true);
        expect(cell.timings?.cellMs).toBeGreaterThan(0);
        expect(cell.memory?.rssAfterBytes).toBeGreaterThan(0);
      }
    }
    const markdown = await readFile(join(out, 'sweep.md'), 'utf8');
    expect(markdown).toMatch(/^\| opt \| `Xenova\/opt-125m` \| llama \| passed \| passed \| (passed|skipped) \| (passed|skipped) \|$/m);
  });

  it('collects the outputs accel.infer gives in process on the same model', async () => {
    const accel = new Accel({ backends: [createCpuBackend()], skills: [bertSkill, gpt2Skill] });
    try {
      accel.addEndpoint({ skill: bertSkill, model: join(models, 'onnx-community/bert-tiny-ONNX') });
      accel.addEndpoint({ skill: gpt2Skill, model: join(models, 'Xenova/gpt2') });
      const embeddings = (await accel.infer(bertSkill, bertSkill.example.input)).output.embeddings;
      const generated = (await accel.infer(gpt2Skill, gpt2Skill.example.input, gpt2Skill.example.options)).output;
      const bert = await readJson<SweepEntryResult>(join(out, 'bert.json'));
      const vectors = (bert.cells.find((cell) => cell.backend === 'cpu')!.output as { embeddings: VectorSummary[] }).embeddings;
      expect(vectors).toHaveLength(embeddings.length);
      vectors.forEach((vector, index) => {
        expect(vector.values).toHaveLength(embeddings[index]!.length);
        vector.values!.forEach((value, at) => expect(value).toBeCloseTo(embeddings[index]![at]!, 5));
      });
      const gpt2 = await readJson<SweepEntryResult>(join(out, 'gpt2.json'));
      expect(gpt2.cells.find((cell) => cell.backend === 'cpu')!.output).toEqual({ text: generated.text, tokens: generated.tokens, stopReason: generated.stopReason });
    } finally {
      await accel.dispose();
    }
  }, 60_000);

  it('exits 1 when an output changed beyond tolerance, and prints each regression', async () => {
    const changed = join(scratch, 'changed-expected');
    await cp(expectedFolder, changed, { recursive: true });
    const gpt2 = await readJson<ExpectedEntry & { cells: Record<string, { output: { text: string } }> }>(join(changed, 'gpt2.json'));
    gpt2.cells.cpu!.output.text = 'a different continuation';
    await writeFile(join(changed, 'gpt2.json'), JSON.stringify(gpt2));
    const bert = await readJson<ExpectedEntry & { cells: Record<string, { output: { embeddings: VectorSummary[] } }> }>(join(changed, 'bert.json'));
    const vector = bert.cells.cpu!.output.embeddings[0]!;
    (vector.values as number[])[3] = vector.values![3]! + 0.05;
    await writeFile(join(changed, 'bert.json'), JSON.stringify(bert));

    const { code, stderr } = await run('sweep', '--map', forgedMap, '--cache-dir', models, '--offline', '--out', join(scratch, 'changed-out'), '--expect', changed, '--only', 'gpt2,bert', '--backends', 'cpu');
    expect(code).toBe(1);
    const regressions = stderr.split('\n').filter((line) => line.startsWith('regression: '));
    expect(regressions).toEqual([
      expect.stringMatching(/^regression: bert: cpu: output changed: output\.embeddings\[0\]\[3\]: .* vs .* \(difference 5\.00e-2 > /),
      expect.stringMatching(/^regression: gpt2: cpu: output changed: output\.text: ".*" where "a different continuation" was expected$/),
    ]);
    expect(stderr).toContain('sweep: 2 regressions against');
    // The same sweep against the committed results has none: the change is what failed it.
    const unchanged = await run('sweep', '--map', forgedMap, '--cache-dir', models, '--offline', '--out', join(scratch, 'unchanged-out'), '--expect', expectedFolder, '--only', 'gpt2,bert', '--backends', 'cpu');
    expect(unchanged.code).toBe(0);
  }, 120_000);

  it('exits 1 when a backend that passed is skipped (its package missing), naming the cell and the reason', async () => {
    const { code, stderr } = await accelWithout(['@accel/backend-wasm'], 'sweep', '--map', forgedMap, '--cache-dir', models, '--offline', '--out', join(scratch, 'skipped-out'), '--expect', expectedFolder, '--only', 'bert', '--backends', 'cpu,wasm');
    expect(code).toBe(1);
    expect(stderr).toContain('regression: bert: wasm: passed → skipped: @accel/backend-wasm is not installed');
    expect(stderr).not.toContain('regression: bert: cpu');
  }, 120_000);
});

describe('comparing with expected results', () => {
  const base: SweepEntryResult = {
    modelType: 'bert',
    model: 'org/bert',
    skill: 'bert',
    servedBy: ['bert'],
    example: { input: ['a cat'] },
    collectedAt: '2026-01-01T00:00:00.000Z',
    cells: [
      {
        backend: 'cpu',
        status: 'passed',
        output: { embeddings: [{ kind: 'vector', type: 'Float32Array', length: 3, first: [1, 2, 3], norm: Math.sqrt(14), values: [1, 2, 3] }], score: 0.5, tokens: [4, 5] },
        provenance: { backend: 'cpu', device: 'cpu', dtype: 'fp32', isolation: 'worker', model: { id: 'org/bert', directory: '/a', files: ['onnx/model.onnx'] } },
        timings: { cellMs: 10 },
        memory: { rssBeforeBytes: 1, rssAfterBytes: 2, heapUsedAfterBytes: 3 },
      },
      { backend: 'cuda', status: 'skipped', reason: 'no driver' },
    ],
  };
  const expected = toExpected(base);
  const withCpu = (change: Partial<SweepEntryResult['cells'][number]>): SweepEntryResult => ({ ...base, cells: [{ ...base.cells[0]!, ...change }, base.cells[1]!] });

  it('ignores timings, memory, dates, folders and differences within tolerance', () => {
    const varied = withCpu({
      timings: { cellMs: 999 },
      memory: { rssBeforeBytes: 9, rssAfterBytes: 9, heapUsedAfterBytes: 9 },
      output: { embeddings: [{ kind: 'vector', type: 'Float32Array', length: 3, first: [1.0001, 2, 3], norm: Math.sqrt(14), values: [1.0001, 2, 3] }], score: 0.5004, tokens: [4, 5] },
      provenance: { ...base.cells[0]!.provenance!, model: { ...base.cells[0]!.provenance!.model, directory: '/elsewhere' }, threads: 8 },
    });
    expect(compareEntry({ ...varied, collectedAt: '2027-01-01T00:00:00.000Z' }, expected)).toEqual({ modelType: 'bert', regressions: [], notes: [] });
  });

  it('counts as regressions: passed → failed, a changed token, a vector turned away, provenance naming another backend, a missing expected file', () => {
    expect(compareEntry(withCpu({ status: 'failed', reason: 'ACCEL_INFERENCE: boom' }), expected).regressions).toEqual(['cpu: passed → failed: ACCEL_INFERENCE: boom']);
    expect(compareEntry(withCpu({ output: { ...(base.cells[0]!.output as object), tokens: [4, 6] } }), expected).regressions).toEqual(['cpu: output changed: output.tokens[1]: 6 where 5 was expected']);
    const turned = { kind: 'vector', type: 'Float32Array', length: 3, first: [3, 2, 1], norm: Math.sqrt(14), values: [3, 2, 1] } as const;
    expect(compareEntry(withCpu({ output: { ...(base.cells[0]!.output as object), embeddings: [turned] } }), expected).regressions).toEqual([
      expect.stringMatching(/^cpu: output changed: output\.embeddings\[0\]: cosine similarity 0\.714286 with the expected vector/),
    ]);
    const elsewhere = withCpu({ provenance: { ...base.cells[0]!.provenance!, backend: 'wasm', device: 'wasm' } });
    expect(compareEntry(elsewhere, expected).regressions).toEqual(['cpu: provenance names backend wasm', 'cpu: provenance backend wasm, expected cpu', 'cpu: provenance device wasm, expected cpu']);
    expect(compareEntry({ ...base, example: { input: ['a dog'] } }, expected).regressions).toEqual([`skill bert's example changed since the expected results were recorded (example.input[0]: "a dog" where "a cat" was expected)`]);
    expect(compareEntry(base, undefined).regressions).toEqual(['no expected result for this model_type (record one on purpose with --update-expected)']);
    expect(compareEntry({ ...base, unsupported: 'gone', cells: [] }, expected).regressions).toEqual(['ran with skill bert before, now unsupported: gone']);
  });

  it('reports a skipped cell that now passes as a note, not a regression', () => {
    const cuda = { ...base.cells[0]!, backend: 'cuda', provenance: { ...base.cells[0]!.provenance!, backend: 'cuda', device: 'cuda:0' } };
    expect(compareEntry({ ...base, cells: [base.cells[0]!, cuda] }, expected)).toEqual({ modelType: 'bert', regressions: [], notes: ['cuda: skipped → passed (no expected output to compare with)'] });
  });
});

describe('accel sweep input errors', () => {
  it('refuses a map that is not a model_type map, an unknown --only type and an unknown backend, exiting 1 with the reason', async () => {
    const bad = join(scratch, 'bad-map.json');
    await writeFile(bad, JSON.stringify({ bert: 42 }));
    expect(await run('sweep', '--map', bad)).toMatchObject({ code: 1, stderr: expect.stringContaining('entry "bert": expected a checkpoint string') });
    expect(await run('sweep', '--map', forgedMap, '--only', 'nope')).toMatchObject({ code: 1, stderr: 'error: ACCEL_INVALID_INPUT: invalid input: --only: the map has no model_type nope' });
    expect(await run('sweep', '--map', forgedMap, '--backends', 'tpu', '--only', 'bert', '--out', join(scratch, 'tpu'))).toMatchObject({ code: 1, stderr: expect.stringContaining('--backends: unknown backend tpu') });
    expect(await run('sweep')).toMatchObject({ code: 1, stderr: expect.stringContaining('accel sweep needs --map FILE') });
    expect(await run('sweep', '--map', forgedMap, '--update-expected')).toMatchObject({ code: 1, stderr: expect.stringContaining('--update-expected needs --expect DIR') });
  });
});
