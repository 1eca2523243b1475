import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AccelError } from '@accel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { benchFlags, runBenchCommand, type BenchCommandFlags } from '../src/index.js';
import { benchTextsOfTokens } from '../src/inputs/sentences.js';
import { renderScalingChart, renderScalingMarkdownReport, scalingChartFile } from '../src/reporters/scaling-report.js';
import { renderLineChart } from '../src/reporters/svg-chart.js';
import { fitCurve, growthSteps, leastSquares } from '../src/scaling/fit.js';
import { kvCacheBytes } from '../src/scaling/run-scaling-bench.js';
import { evaluateScalingGoals } from '../src/scaling/scaling-goals.js';
import type { ScalingBenchResult, ScalingPoint, ScalingSweep } from '../src/scaling/scaling-result.js';
import { expectWellFormedXml } from './well-formed-xml.js';

/** A measured point whose accel and raw costs are given (one batch, items = x). */
function point(x: number, accel: number, raw: number): ScalingPoint {
  const side = (label: string, cost: number) => ({ label, milliseconds: { median: cost, p95: cost * 1.2, samples: 3 }, units: x, cost, perUnitMilliseconds: cost / x });
  return { x, status: 'measured', accel: side('accel', accel), raw: side('onnxruntime-node session.run', raw), ratio: accel / raw, rounds: 2 };
}

function sweep(points: ScalingPoint[]): ScalingSweep {
  const measured = points.filter((entry) => entry.status === 'measured');
  const xs = measured.map((entry) => entry.x);
  return {
    id: 'minilm-batch',
    title: 'MiniLM: batch size',
    model: 'Xenova/all-MiniLM-L6-v2',
    backend: 'cpu',
    variable: 'batch size',
    unit: 'item',
    fixed: 'sequence 32',
    cost: 'time for one batch',
    status: 'measured',
    points,
    notes: { accel: ['worker isolation'], raw: ['prepared tensors'] },
    fits: { accel: fitCurve(xs, measured.map((entry) => entry.accel!.cost)), raw: fitCurve(xs, measured.map((entry) => entry.raw!.cost)) },
    steps: growthSteps(measured.map((entry) => ({ x: entry.x, accel: entry.accel!.cost, raw: entry.raw!.cost }))),
    caveats: [],
  };
}

describe('scaling fits', () => {
  it('recovers the exponent of a power law and the slope and intercept of a line', () => {
    const xs = [1, 2, 4, 8, 16, 32];
    expect(fitCurve(xs, xs.map((x) => 3 * x ** 1.5)).exponent).toBeCloseTo(1.5, 10);
    const line = fitCurve(xs, xs.map((x) => 2 + 0.5 * x));
    expect(line.perUnit).toBeCloseTo(0.5, 10);
    expect(line.intercept).toBeCloseTo(2, 10);
    // A fixed cost amortised over the batch grows slower than linear.
    expect(line.exponent).toBeGreaterThan(0);
    expect(line.exponent).toBeLessThan(1);
    expect(leastSquares([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, intercept: 1 });
  });

  it('refuses what it cannot fit', () => {
    expect(() => leastSquares([1], [1])).toThrow(RangeError);
    expect(() => leastSquares([2, 2], [1, 3])).toThrow(/same/);
    expect(() => fitCurve([1, 2], [0, 3])).toThrow(/positive/);
  });

  it('takes each step between consecutive points, in order of x', () => {
    const steps = growthSteps([
      { x: 4, accel: 12, raw: 8 },
      { x: 1, accel: 3, raw: 2 },
      { x: 2, accel: 6, raw: 5 },
    ]);
    expect(steps.map((step) => [step.from, step.to])).toEqual([[1, 2], [2, 4]]);
    expect(steps[0]).toMatchObject({ accelGrowth: 2, rawGrowth: 2.5, excess: 0.8 });
    expect(steps[1]!.excess).toBeCloseTo(2 / 1.6, 10);
  });

  it('computes the KV cache of gpt2 from its config', () => {
    // 2 × 12 layers × 12 heads × 64 × tokens × 4 bytes = 73,728 bytes per position.
    expect(kvCacheBytes({ n_layer: 12, n_head: 12, n_embd: 768 }, 100)).toBe(7_372_800);
    expect(kvCacheBytes({ num_hidden_layers: 2, num_attention_heads: 4, hidden_size: 64 }, 10)).toBe(2 * 2 * 4 * 16 * 10 * 4);
    expect(() => kvCacheBytes({}, 1)).toThrow(/config/);
  });

  it('builds different texts of one length', () => {
    const texts = benchTextsOfTokens(300, 32);
    expect(new Set(texts).size).toBe(300);
    for (const text of texts) expect(text.split(' ')).toHaveLength(30);
    expect(() => benchTextsOfTokens(1, 4)).toThrow(RangeError);
  });
});

describe('scaling goals', () => {
  it('meets both goals when accel stays within 1.2× and grows like raw', () => {
    const goals = evaluateScalingGoals([sweep([point(1, 11, 10), point(2, 21, 20), point(4, 41, 40)])]);
    expect(goals.map((goal) => [goal.id, goal.status])).toEqual([
      ['minilm-batch-ratio', 'met'],
      ['minilm-batch-growth', 'met'],
    ]);
    expect(goals[0]!.measured).toBeCloseTo(1.1, 10);
  });

  it('fails the ratio at a point over 1.2, naming it', () => {
    const [ratio] = evaluateScalingGoals([sweep([point(1, 15, 10), point(2, 21, 20)])]);
    expect(ratio).toMatchObject({ status: 'not met', measured: 1.5 });
    expect(ratio!.note).toContain('batch size 1 (1.50×)');
  });

  it('flags a step where accel grows more than 10% faster than raw, even with every ratio under 1.2', () => {
    // 0.9× then 1.1×: both within 1.2, but accel grew ×2.44 where raw grew ×2.
    const [ratio, growth] = evaluateScalingGoals([sweep([point(1, 9, 10), point(2, 22, 20)])]);
    expect(ratio!.status).toBe('met');
    expect(growth).toMatchObject({ status: 'not met' });
    expect(growth!.measured).toBeCloseTo(2.2 / 1.8, 10);
    expect(growth!.note).toContain('1 → 2');
    // Within the tolerance: 1.0× then 1.05× is not flagged.
    expect(evaluateScalingGoals([sweep([point(1, 10, 10), point(2, 21, 20)])])[1]!.status).toBe('met');
  });

  it('does not meet a goal at a point that failed, and skips a sweep that did not run', () => {
    const failed: ScalingPoint = { x: 4, status: 'failed', reason: 'out of memory', rounds: 0 };
    const goals = evaluateScalingGoals([sweep([point(1, 10, 10), point(2, 20, 20), failed])]);
    expect(goals.map((goal) => goal.status)).toEqual(['not met', 'not met']);
    expect(goals[0]!.note).toContain('out of memory');
    const skipped: ScalingSweep = { ...sweep([point(1, 1, 1), point(2, 2, 2)]), status: 'skipped', reason: 'the cpu backend is unavailable', points: [] };
    delete (skipped as { fits?: unknown }).fits;
    delete (skipped as { steps?: unknown }).steps;
    expect(evaluateScalingGoals([skipped]).map((goal) => [goal.status, goal.measured])).toEqual([
      ['skipped', undefined],
      ['skipped', undefined],
    ]);
  });
});

describe('scaling charts', () => {
  it('draws accel and raw as two lines with a point at each x, valid SVG', () => {
    const measured = sweep([point(1, 11, 10), point(4, 30, 28), point(16, 100, 90)]);
    const svg = renderScalingChart(measured, { mode: 'full', generatedAt: '2026-12-03T00:00:00.000Z' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expectWellFormedXml(svg);
    const series = [...svg.matchAll(/<g class="series" data-series="([^"]+)">([\s\S]*?)<\/g>/g)];
    expect(series.map((entry) => entry[1])).toEqual(['accel', 'onnxruntime-node session.run']);
    for (const [, , body] of series) {
      expect(body).toContain('<polyline');
      expect([...body!.matchAll(/<circle cx="([^"]+)" cy="([^"]+)"/g)]).toHaveLength(3);
    }
    // x on a log2 scale: 1 → 4 → 16 are equally spaced.
    const xs = [...series[0]![2]!.matchAll(/<circle cx="([^"]+)"/g)].map((match) => Number(match[1]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
    // Raw is cheaper at every point, so its line lies lower on the chart (larger y).
    const ys = series.map((entry) => [...entry[2]!.matchAll(/cy="([^"]+)"/g)].map((match) => Number(match[1])));
    ys[0]!.forEach((accelY, index) => expect(ys[1]![index]!).toBeGreaterThan(accelY));
    expect(svg).toContain('1.10×');
    expect(renderLineChart({ title: 'a<b>&c', subtitle: '', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no points were measured');
    expectWellFormedXml(renderLineChart({ title: 'a<b>&c', subtitle: '', xLabel: 'x', yLabel: 'y', series: [] }));
  });
});

/** `accel bench` as the CLI runs it: the bench's flags parsed strictly, a plain table layout. */
async function bench(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...benchFlags, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) => [headers, ...rows].map((row) => row.join(' | ')).join('\n');
  return runBenchCommand(values as BenchCommandFlags, positionals.slice(1), argv, { ...io, renderTable });
}

describe('accel bench --scaling on tiny models', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-scaling-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses flags that do not apply', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined };
    for (const extra of [['--skills', 'minilm'], ['--backends', 'cpu'], ['--replicas', '2'], ['--repeat', '2'], ['--server']]) {
      await expect(bench(['bench', '--scaling', ...extra], io)).rejects.toSatisfy((error) => AccelError.isInstance(error) && error.code === 'ACCEL_INVALID_INPUT');
    }
  });

  it('sweeps every model, accel and raw side by side, and writes bench.json, bench.md and a chart per sweep', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const out = join(folder, 'reports');
    const code = await bench(['bench', '--scaling', '--size', 'tiny', '--cache-dir', join(folder, 'models'), '--out', out], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
    });
    expect(stderr.join('\n')).not.toMatch(/failed/);
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as ScalingBenchResult;
    expect(written).toMatchObject({ kind: 'scaling', modelSize: 'tiny', ratioThreshold: 1.2, growthTolerance: 0.1 });
    expect(written.sweeps.map((entry) => [entry.id, entry.status, entry.points.map((item) => item.x)])).toEqual([
      ['minilm-batch', 'measured', [1, 2, 4]],
      ['minilm-sequence', 'measured', [8, 16]],
      ['gpt2-tokens', 'measured', [2, 4]],
      ['whisper-audio', 'measured', [10, 60]],
    ]);
    for (const measured of written.sweeps) {
      for (const entry of measured.points) {
        expect(entry.status).toBe('measured');
        expect(entry.accel!.label).toBe('accel');
        expect(entry.raw!.label).toMatch(/^onnxruntime-node /);
        for (const side of [entry.accel!, entry.raw!]) {
          expect(side.milliseconds.samples).toBeGreaterThanOrEqual(1);
          expect(side.cost).toBeGreaterThan(0);
          expect(side.perUnitMilliseconds).toBeCloseTo(side.cost / entry.x, 9);
        }
        expect(Number.isFinite(entry.ratio) && entry.ratio! > 0).toBe(true);
        expect(entry.ratio).toBeCloseTo(entry.accel!.cost / entry.raw!.cost, 9);
      }
      expect(Number.isFinite(measured.fits!.accel.exponent) && Number.isFinite(measured.fits!.raw.exponent)).toBe(true);
      expect(measured.steps).toHaveLength(measured.points.length - 1);
      const svg = readFileSync(join(out, scalingChartFile(measured)), 'utf8');
      expectWellFormedXml(svg);
      expect([...svg.matchAll(/<g class="series" data-series="([^"]+)">/g)].map((match) => match[1])).toEqual(['accel', measured.points[0]!.raw!.label]);
    }
    const [batch, sequence, gpt2, whisper] = written.sweeps;
    // Every batch of the batch sweep did x items on both sides; the raw loop made exactly the tokens asked.
    for (const entry of batch!.points) expect([entry.accel!.units, entry.raw!.units]).toEqual([entry.x, entry.x]);
    for (const entry of sequence!.points) expect([entry.accel!.units, entry.raw!.units]).toEqual([entry.x, entry.x]);
    for (const entry of gpt2!.points) {
      expect(entry.raw!.units).toBe(entry.x);
      expect(entry.accel!.units).toBeGreaterThanOrEqual(1);
      expect(entry.accel!.units).toBeLessThanOrEqual(entry.x);
      const promptTokens = entry.details!.promptTokens!;
      expect(promptTokens).toBeGreaterThan(1);
      expect(entry.details!.kvCacheBytes).toBe(kvCacheBytes(JSON.parse(readFileSync(join(folder, 'models', 'Xenova', 'gpt2', 'config.json'), 'utf8')), promptTokens + entry.x));
    }
    // 10 s is one window; 60 s is three 30 s windows overlapping by 5 s on both sides — on both sides of the comparison.
    expect(whisper!.points.map((entry) => entry.details!.windows)).toEqual([1, 3]);
    for (const entry of whisper!.points) expect(entry.details!.rawTokens).toBe(entry.details!.windows! * 3);
    expect(written.goals).toHaveLength(8);
    for (const goal of written.goals) expect(['met', 'not met']).toContain(goal.status);
    const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(markdown).toBe(renderScalingMarkdownReport(written));
    for (const measured of written.sweeps) expect(markdown).toContain(`](${scalingChartFile(measured)})`);
    expect(markdown).toContain('wasm, cuda and openvino are not part of this mode');
    expect(existsSync(join(out, 'ratios.svg'))).toBe(false);
    expect(stdout.join('\n')).toContain('minilm-batch-ratio');
  }, 120_000);
});
