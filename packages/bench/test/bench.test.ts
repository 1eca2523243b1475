import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inflateSync } from 'node:zlib';
import { AccelError } from '@accel/core';
import { findWorkspaceRoot } from '@accel/testkit/reports';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult, CellMemoryResult, CellResult, SubjectMemoryResult, SubjectResult } from '../src/bench-result.js';
import { EventLoopDelayRecorder } from '../src/event-loop-delay.js';
import { evaluateGoals, formatGoalMeasured, formatGoalSpread } from '../src/goals.js';
import { encodeTestPng } from '../src/inputs/test-image.js';
import { benchSentences } from '../src/inputs/sentences.js';
import { benchProfiles } from '../src/profiles/index.js';
import { renderProgressBar } from '../src/progress-bar.js';
import { computeRatios, findRatio } from '../src/ratios.js';
import { renderMarkdownReport } from '../src/reporters/markdown-report.js';
import { chartBars, renderResultChart } from '../src/reporters/svg-chart.js';
import { writeReports } from '../src/reporters/write-reports.js';
import { selectProfiles } from '../src/runner.js';
import { sampleDurations, wantsMoreSamples } from '../src/sample-durations.js';
import { median, percentile, summarize } from '../src/statistics.js';
import { batchesFormed } from '../src/subjects/accel-subject.js';
import { argmax } from '../src/subjects/raw-decoder-loop.js';
import { benchFlags, runBenchCommand, type BenchCommandFlags } from '../src/index.js';
import { embeddingAgreement, inferWithDtype, tokenAgreement } from '../src/agreement.js';
import { combineGoals, combineRatios } from '../src/repeat.js';
import type { GoalResult, RunResult } from '../src/bench-result.js';
import { forgeModel } from '@accel/model-forge';
import type { BackendV1, SkillV1 } from '@accel/core';
import { expectWellFormedXml } from './well-formed-xml.js';

const summary = (value: number) => ({ median: value, p95: value * 1.5, samples: 5 });

function subject(role: SubjectResult['role'], label: string, measurements: SubjectResult['measurements']): SubjectResult {
  return { role, label, runtime: role === 'pipeline' ? '@huggingface/transformers 4.3.2' : 'onnxruntime-node 1.30.0', status: 'measured', measurements, notes: [] };
}

/** MiniLM on the CPU: accel 1.05× raw at batch 32, 2× the naive concurrency, 12 ms event-loop delay. */
const miniLmSubjects: SubjectResult[] = [
  subject('accel', 'accel', {
    loadMs: 300,
    latency: { milliseconds: summary(3) },
    batch: { batchSize: 32, milliseconds: summary(52.5), itemsPerSecond: 32000 / 52.5 },
    concurrent: { requests: 64, milliseconds: summary(128), itemsPerSecond: 500, eventLoopMaxDelayMs: 12, batchSizes: [32, 32] },
  }),
  subject('onnxruntime', 'onnxruntime-node session.run', {
    loadMs: 250,
    latency: { milliseconds: summary(2.5) },
    batch: { batchSize: 32, milliseconds: summary(50), itemsPerSecond: 640 },
  }),
  subject('pipeline', "pipeline('feature-extraction')", {
    loadMs: 400,
    latency: { milliseconds: summary(3.2) },
    batch: { batchSize: 32, milliseconds: summary(60), itemsPerSecond: 533 },
    concurrent: { requests: 64, milliseconds: summary(256), itemsPerSecond: 250, eventLoopMaxDelayMs: 180 },
  }),
];

function cell(profile: string, family: CellResult['family'], backend: string, subjects: SubjectResult[]): CellResult {
  return { profile, skill: profile, model: profile, family, backend, status: 'measured', subjects, ratios: computeRatios(subjects) };
}

const mebibytes = (count: number) => count * 2 ** 20;

/** A subject's memory probe that added `added` MiB over a 90 MiB baseline. */
function probed(role: SubjectMemoryResult['role'], label: string, added: number): SubjectMemoryResult {
  return {
    role,
    label,
    status: 'measured',
    measurement: { peakRssBytes: mebibytes(90 + added), baselineRssBytes: mebibytes(90), addedRssBytes: mebibytes(added), heldRssBytes: mebibytes(added - 10), freshRssBytes: mebibytes(43), kernelPeak: 'VmHWM', samples: 40 },
  };
}

/** The memory probe of the MiniLM cell: accel +120 MiB, raw +100 MiB, pipeline +150 MiB. */
const miniLmMemory: CellMemoryResult = {
  requests: 'load, a request of 1 item, a request of 32 items',
  subjects: [probed('accel', 'accel', 120), probed('onnxruntime', 'onnxruntime-node session.run', 100), probed('pipeline', "pipeline('feature-extraction')", 150)],
};

const gpt2Subjects: SubjectResult[] = [
  subject('accel', 'accel', { generation: { newTokens: 32, milliseconds: summary(800), tokensPerSecond: 40, firstTokenMilliseconds: summary(45) } }),
  subject('onnxruntime', 'onnxruntime-node greedy loop', { generation: { newTokens: 32, milliseconds: summary(720), tokensPerSecond: 44.4, firstTokenMilliseconds: summary(40) } }),
];

const fixedResult: BenchResult = {
  generatedAt: '2026-01-02T03:04:05.000Z',
  command: 'accel bench --quick',
  mode: 'quick',
  replicas: 1,
  modelSize: 'full',
  machine: { cpu: 'Test CPU <fast> & cheap', cores: 2, memoryBytes: 8 * 2 ** 30, platform: 'linux x64', node: 'v20.19.0', loadAverageStart: 0.5, loadAverageEnd: 0.7 },
  versions: { node: 'v20.19.0', cpu: 'onnxruntime-node 1.30.0' },
  durationSeconds: 95,
  backends: [
    { backend: 'cpu', available: true, selected: true, runtime: 'onnxruntime-node 1.30.0' },
    { backend: 'cuda', available: false, selected: true, reason: 'no NVIDIA driver found' },
  ],
  cells: [
    { ...cell('minilm', 'text-embedding', 'cpu', miniLmSubjects), memory: miniLmMemory },
    { profile: 'minilm', skill: 'sentence-embeddings', model: 'Xenova/all-MiniLM-L6-v2', family: 'text-embedding', backend: 'cuda', status: 'skipped', reason: 'no NVIDIA driver found', subjects: [], ratios: [] },
    cell('gpt2', 'generation', 'cpu', gpt2Subjects),
  ],
  coServing: {
    description: 'two models',
    backend: 'cpu',
    status: 'measured',
    accel: [
      { model: 'model A', aloneItemsPerSecond: 600, togetherItemsPerSecond: 300, fraction: 0.5 },
      { model: 'model B', aloneItemsPerSecond: 600, togetherItemsPerSecond: 264, fraction: 0.44 },
    ],
    naive: [{ model: 'model A', aloneItemsPerSecond: 500, togetherItemsPerSecond: 135, fraction: 0.27 }],
  },
  goals: [],
};
const result: BenchResult = { ...fixedResult, goals: evaluateGoals(fixedResult) };

describe('statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('interpolates percentiles between ranks', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 0.95)).toBeCloseTo(95.05, 10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 1)).toBe(100);
    expect(percentile([10, 20], 0.95)).toBeCloseTo(19.5, 10);
    expect(summarize([3, 1, 2])).toEqual({ median: 2, p95: 2.9, samples: 3 });
  });

  it('refuses no samples and fractions outside [0, 1]', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });

  it('samples at least minSamples times after the warm-up, at most maxSamples', async () => {
    let calls = 0;
    const durations = await sampleDurations(async () => (calls += 1), { warmup: 2, minSamples: 3, maxSamples: 5, budgetMs: 0, limitMs: 60_000 });
    expect(durations).toHaveLength(3);
    expect(calls).toBe(5);
    const capped = await sampleDurations(async () => undefined, { warmup: 0, minSamples: 1, maxSamples: 4, budgetMs: 60_000, limitMs: 60_000 });
    expect(capped).toHaveLength(4);
  });

  it('records a blocked event loop', async () => {
    const recorder = await EventLoopDelayRecorder.start();
    for (let reading = 0; reading < 2; reading += 1) {
      const startedAt = performance.now();
      while (performance.now() - startedAt < 60);
      expect(await recorder.takeMaxMs()).toBeGreaterThanOrEqual(50);
    }
    recorder.stop();
  });

  it('stops a slow operation at the time limit, with at least one sample', () => {
    const plan = { warmup: 0, minSamples: 5, maxSamples: 100, budgetMs: 500, limitMs: 2000 };
    expect(wantsMoreSamples(plan, 0, 10_000)).toBe(true);
    expect(wantsMoreSamples(plan, 1, 2500)).toBe(false);
    expect(wantsMoreSamples(plan, 3, 1000)).toBe(true);
    expect(wantsMoreSamples(plan, 5, 400)).toBe(true);
    expect(wantsMoreSamples(plan, 5, 600)).toBe(false);
    expect(wantsMoreSamples(plan, 100, 0)).toBe(false);
  });
});

describe('ratios and goals', () => {
  const ratios = computeRatios(miniLmSubjects);

  it('divides accel by each peer in the direction each ratio names', () => {
    expect(findRatio(ratios, 'batch-time/onnxruntime')).toBeCloseTo(1.05, 10);
    expect(findRatio(ratios, 'batch-time/pipeline')).toBeCloseTo(52.5 / 60, 10);
    expect(findRatio(ratios, 'latency/onnxruntime')).toBeCloseTo(1.2, 10);
    expect(findRatio(ratios, 'concurrent-throughput/pipeline')).toBeCloseTo(2, 10);
    expect(findRatio(ratios, 'concurrent-vs-batch/onnxruntime')).toBeCloseTo(500 / 640, 10);
    expect(findRatio(ratios, 'memory/onnxruntime')).toBeUndefined();
    expect(findRatio(ratios, 'load-time/pipeline')).toBeCloseTo(0.75, 10);
    expect(findRatio(ratios, 'concurrent-throughput/onnxruntime')).toBeUndefined();
    expect(ratios.find((ratio) => ratio.id === 'concurrent-throughput/pipeline')?.better).toBe('higher');
  });

  it('compares generation per token', () => {
    const generation = computeRatios(gpt2Subjects);
    expect(findRatio(generation, 'token-time/onnxruntime')).toBeCloseTo(800 / 720, 10);
    expect(findRatio(generation, 'first-token/onnxruntime')).toBeCloseTo(45 / 40, 10);
  });

  it('gives no ratios without a measured accel subject', () => {
    expect(computeRatios(miniLmSubjects.slice(1))).toEqual([]);
  });

  it('marks each goal met, not met or not measured', () => {
    const byId = new Map(result.goals.map((goal) => [goal.id, goal]));
    expect(byId.get('minilm-batch')).toMatchObject({ status: 'met', measured: expect.closeTo(1.05, 10) });
    expect(byId.get('minilm-concurrent-vs-naive')).toMatchObject({ status: 'met', measured: expect.closeTo(2, 10) });
    expect(byId.get('minilm-concurrent-vs-raw-batch')).toMatchObject({ status: 'not met', measured: expect.closeTo(500 / 640, 10) });
    expect(byId.get('event-loop-delay')).toMatchObject({ status: 'met', measured: 12 });
    expect(byId.get('event-loop-delay')?.note).toContain('180 ms');
    expect(byId.get('gpt2-greedy')).toMatchObject({ status: 'not met', measured: expect.closeTo(800 / 720, 10) });
    expect(byId.get('two-models')).toMatchObject({ status: 'not met', measured: 0.44 });
    expect(byId.get('bert-tiny-batch')?.status).toBe('not measured');
    expect(byId.get('whisper-window')?.status).toBe('not measured');
  });

  it('prints a third decimal only where two would print the threshold', () => {
    const goal = { id: 'g', measure: 'm', goal: '≤ 1.05', threshold: 1.05, unit: '×' as const, note: '' };
    expect(formatGoalMeasured({ ...goal, measured: 1.0523, status: 'not met' })).toBe('1.052×');
    expect(formatGoalMeasured({ ...goal, measured: 1.44, status: 'not met' })).toBe('1.44×');
    expect(formatGoalMeasured({ ...goal, unit: 'ms', measured: 7.43, status: 'met' })).toBe('7.4 ms');
    expect(formatGoalMeasured({ ...goal, status: 'not measured' })).toBe('–');
  });
});

describe('q8 goals, agreement and --repeat', () => {
  const q8Cells: CellResult[] = [
    cell('gpt2', 'generation', 'cpu', gpt2Subjects),
    {
      ...cell('gpt2-q8', 'generation', 'cpu', [
        subject('accel', 'accel', { generation: { newTokens: 32, milliseconds: summary(400), tokensPerSecond: 80, firstTokenMilliseconds: summary(30) } }),
        subject('onnxruntime', 'onnxruntime-node greedy loop', { generation: { newTokens: 32, milliseconds: summary(380), tokensPerSecond: 84.2, firstTokenMilliseconds: summary(28) } }),
      ]),
      dtype: 'q8',
      agreement: { reference: 'fp32', measure: 'greedy-token agreement over 32 tokens', status: 'measured', value: 0.75, detail: '24 of 32 positions' },
    },
    cell('minilm', 'text-embedding', 'cpu', miniLmSubjects),
    {
      ...cell('minilm-q8', 'text-embedding', 'cpu', [
        subject('accel', 'accel', { batch: { batchSize: 32, milliseconds: summary(40), itemsPerSecond: 800 } }),
        subject('onnxruntime', 'onnxruntime-node session.run', { batch: { batchSize: 32, milliseconds: summary(32), itemsPerSecond: 1000 } }),
      ]),
      dtype: 'q8',
    },
  ];

  it('takes q8 ÷ fp32 throughput across the two cells of a run, and accel ÷ raw on the quantized file', () => {
    const byId = new Map(evaluateGoals({ cells: q8Cells }).map((goal) => [goal.id, goal]));
    expect(byId.get('gpt2-q8-vs-fp32')).toMatchObject({ status: 'met', measured: expect.closeTo(2, 10) });
    expect(byId.get('gpt2-q8-vs-fp32')?.note).toContain('greedy-token agreement over 32 tokens with fp32: 0.7500 (24 of 32 positions)');
    expect(byId.get('minilm-q8-vs-fp32')).toMatchObject({ status: 'not met', measured: expect.closeTo(800 / (32000 / 52.5), 10) });
    expect(byId.get('minilm-q8-vs-fp32')?.note).toContain('agreement not taken');
    expect(byId.get('minilm-q8-batch')).toMatchObject({ status: 'not met', measured: expect.closeTo(1.25, 10) });
    expect(byId.get('gpt2-q8-greedy')).toMatchObject({ status: 'met', measured: expect.closeTo(400 / 380, 10) });
    const withoutFloat = new Map(evaluateGoals({ cells: q8Cells.filter((entry) => entry.profile !== 'gpt2') }).map((goal) => [goal.id, goal]));
    expect(withoutFloat.get('gpt2-q8-vs-fp32')).toMatchObject({ status: 'not measured', note: 'no measured gpt2 cell on cpu in this run' });
  });

  it("says how many replicas accel's defaults loaded on each side, and what CLIP's preprocessing costs alone", () => {
    const withReplicas = (entry: CellResult): CellResult => ({
      ...entry,
      subjects: entry.subjects.map((one) => (one.role === 'accel' ? { ...one, notes: ['worker isolation, 2 replicas × 1 intra-op thread'] } : one)),
    });
    const byId = new Map(evaluateGoals({ cells: q8Cells.map((entry) => (entry.profile === 'minilm-q8' ? withReplicas(entry) : entry)) }).map((goal) => [goal.id, goal]));
    expect(byId.get('minilm-q8-vs-fp32')?.note).toContain("accel's defaults loaded q8 as 2 replicas × 1 intra-op thread, fp32 as 1 replica");
    expect(byId.get('minilm-q8-batch')?.note).toContain('; accel: 2 replicas × 1 intra-op thread');
    expect(byId.get('gpt2-q8-vs-fp32')?.note).not.toContain('replica');
    const clip: CellResult = {
      ...cell('clip', 'vision', 'cpu', [
        subject('accel', 'accel', { latency: { milliseconds: summary(60) } }),
        subject('onnxruntime', 'onnxruntime-node session.run', { latency: { milliseconds: summary(50) } }),
      ]),
      preprocessing: { what: 'decoding one image', status: 'measured', medianMs: 8, samples: 24 },
    };
    const clipGoal = evaluateGoals({ cells: [clip] }).find((entry) => entry.id === 'clip-image');
    expect(clipGoal).toMatchObject({ status: 'not met', measured: expect.closeTo(1.2, 10) });
    expect(clipGoal?.note).toContain("decoding and preprocessing one image alone (accel's reader, median of 24): 8.0 ms, so raw ORT + that = 58.0 ms");
    const failed = evaluateGoals({ cells: [{ ...clip, preprocessing: { what: 'decoding one image', status: 'failed', reason: 'no sharp' } }] }).find((entry) => entry.id === 'clip-image');
    expect(failed?.note).toContain('preprocessing alone not measured: no sharp');
  });

  it('measures agreement: 1 for identical outputs, in [0, 1] otherwise', () => {
    expect(embeddingAgreement([[1, 0], [0, 1]], [[1, 0], [1, 1]])).toEqual({ mean: expect.closeTo((1 + Math.SQRT1_2) / 2, 12), lowest: expect.closeTo(Math.SQRT1_2, 12) });
    expect(tokenAgreement([5, 6, 7], [5, 6, 7])).toEqual({ agreeing: 3, positions: 3, share: 1 });
    // A generation that stopped early disagrees on the positions it lacks.
    expect(tokenAgreement([1, 2, 3], [1, 9, 3, 4])).toEqual({ agreeing: 2, positions: 4, share: 0.5 });
  });

  const goal = (id: string, comparison: '≤' | '≥', threshold: number, measured?: number): GoalResult => ({
    id,
    measure: id,
    goal: `${comparison} ${threshold}`,
    threshold,
    unit: '×',
    ...(measured === undefined ? { status: 'not measured' as const } : { measured, status: (comparison === '≤' ? measured <= threshold : measured >= threshold) ? ('met' as const) : ('not met' as const) }),
    note: `note of ${id}`,
  });

  it('meets a goal over several runs only if its median meets it', () => {
    const combined = combineGoals([
      [goal('batch', '≤', 1.15, 1.1), goal('speed', '≥', 1.5, 1.4), goal('absent', '≤', 1, undefined)],
      [goal('batch', '≤', 1.15, 1.3), goal('speed', '≥', 1.5, undefined), goal('absent', '≤', 1, undefined)],
      [goal('batch', '≤', 1.15, 1.2), goal('speed', '≥', 1.5, 1.7), goal('absent', '≤', 1, undefined)],
    ]);
    // Met in run 1 (1.1), but the median of 1.1, 1.3, 1.2 is 1.2.
    expect(combined[0]).toMatchObject({ status: 'not met', measured: expect.closeTo(1.2, 12), spread: { min: 1.1, max: 1.3, values: [1.1, 1.3, 1.2], measuredIn: 3, runs: 3 } });
    expect(combined[1]).toMatchObject({ status: 'met', measured: expect.closeTo(1.55, 12), spread: { min: 1.4, max: 1.7, measuredIn: 2, runs: 3 } });
    expect(combined[1]?.note).toBe('note of speed; measured in 2 of 3 runs');
    expect(combined[2]).toMatchObject({ status: 'not measured' });
    expect(combined[2]?.measured).toBeUndefined();
    expect(formatGoalSpread(combined[0]!)).toBe('1.10× – 1.30×');
    expect(formatGoalSpread(combined[1]!)).toBe('1.40× – 1.70× (2 of 3 runs)');
  });

  it('gives each ratio of each cell its min, median and max over the runs', () => {
    const run = (batchRatio: number): RunResult => ({
      durationSeconds: 1,
      loadAverageStart: 0,
      loadAverageEnd: 0,
      goals: [],
      cells: [{ ...q8Cells[3]!, ratios: [{ id: 'batch-time/onnxruntime', label: 'batch time', value: batchRatio, better: 'lower', peer: 'onnxruntime' }] }],
    });
    expect(combineRatios([run(1.3), run(1.1), run(1.2)])).toEqual([
      { profile: 'minilm-q8', backend: 'cpu', id: 'batch-time/onnxruntime', label: 'batch time', better: 'lower', min: 1.1, median: 1.2, max: 1.3, values: [1.3, 1.1, 1.2] },
    ]);
  });
});

describe('issue 17 goals: one request at a time, loading, memory', () => {
  /** A MiniLM cell on the CPU with these batch-1 latencies (ms), load times (ms) and memory probe (MiB added). */
  function miniLmCell(accel: { latency: number; load: number }, raw: { latency: number; load: number }, pipeline: { latency: number; load: number } | string, memory?: [number, number]): CellResult {
    const subjects = [
      subject('accel', 'accel', { loadMs: accel.load, latency: { milliseconds: summary(accel.latency) } }),
      subject('onnxruntime', 'onnxruntime-node session.run', { loadMs: raw.load, latency: { milliseconds: summary(raw.latency) } }),
      typeof pipeline === 'string'
        ? { role: 'pipeline' as const, label: "pipeline('feature-extraction')", runtime: '-', status: 'skipped' as const, reason: pipeline, measurements: {}, notes: [] }
        : subject('pipeline', "pipeline('feature-extraction')", { loadMs: pipeline.load, latency: { milliseconds: summary(pipeline.latency) } }),
    ];
    const probe = memory && { requests: 'load, a request of 1 item', subjects: [probed('accel', 'accel', memory[0]), probed('onnxruntime', 'onnxruntime-node session.run', memory[1])] };
    return { ...cell('minilm', 'text-embedding', 'cpu', subjects), ...(probe ? { memory: probe } : {}) };
  }

  function clipCell(accel: { latency: number; load: number }, raw: { latency: number; load: number }, pipeline: { latency: number; load: number }): CellResult {
    return cell('clip', 'vision', 'cpu', [
      subject('accel', 'accel', { loadMs: accel.load, latency: { milliseconds: summary(accel.latency) } }),
      subject('onnxruntime', 'onnxruntime-node session.run', { loadMs: raw.load, latency: { milliseconds: summary(raw.latency) } }),
      subject('pipeline', 'CLIPVisionModelWithProjection', { loadMs: pipeline.load, latency: { milliseconds: summary(pipeline.latency) } }),
    ]);
  }

  const goalsOf = (cells: CellResult[]) => new Map(evaluateGoals({ cells }).map((goal) => [goal.id, goal]));
  const newGoals = ['minilm-latency', 'minilm-latency-vs-pipeline', 'clip-latency-vs-pipeline', 'minilm-load', 'clip-load'];

  it('meets the batch-1 latency and load goals at or under their bounds', () => {
    const goals = goalsOf([miniLmCell({ latency: 3.3, load: 330 }, { latency: 3, load: 300 }, { latency: 3.4, load: 500 }), clipCell({ latency: 40, load: 1100 }, { latency: 36, load: 1000 }, { latency: 50, load: 1500 })]);
    expect(goals.get('minilm-latency')).toMatchObject({ status: 'met', measured: expect.closeTo(1.1, 10), goal: '≤ 1.2' });
    expect(goals.get('minilm-latency')?.note).toBe('accel 3.30 ms, raw ORT 3.00 ms');
    expect(goals.get('minilm-latency-vs-pipeline')).toMatchObject({ status: 'met', measured: expect.closeTo(3.3 / 3.4, 10), goal: '≤ 1' });
    expect(goals.get('clip-latency-vs-pipeline')).toMatchObject({ status: 'met', measured: expect.closeTo(0.8, 10) });
    expect(goals.get('clip-latency-vs-pipeline')?.note).toContain('the stricter goal ≤ 1.15');
    expect(goals.get('minilm-load')).toMatchObject({ status: 'met', measured: expect.closeTo(1.1, 10) });
    expect(goals.get('clip-load')).toMatchObject({ status: 'met', measured: expect.closeTo(1.1, 10) });
    expect(goals.get('clip-load')?.note).toContain('accel 1100 ms, raw ORT 1000 ms');
  });

  it('does not meet them over their bounds', () => {
    const goals = goalsOf([miniLmCell({ latency: 4, load: 400 }, { latency: 3, load: 300 }, { latency: 3.5, load: 500 }), clipCell({ latency: 55, load: 1300 }, { latency: 36, load: 1000 }, { latency: 50, load: 1500 })]);
    expect(goals.get('minilm-latency')).toMatchObject({ status: 'not met', measured: expect.closeTo(4 / 3, 10) });
    expect(goals.get('minilm-latency-vs-pipeline')).toMatchObject({ status: 'not met', measured: expect.closeTo(4 / 3.5, 10) });
    expect(goals.get('clip-latency-vs-pipeline')).toMatchObject({ status: 'not met', measured: expect.closeTo(1.1, 10) });
    expect(goals.get('minilm-load')).toMatchObject({ status: 'not met', measured: expect.closeTo(4 / 3, 10) });
    expect(goals.get('clip-load')).toMatchObject({ status: 'not met', measured: expect.closeTo(1.3, 10) });
  });

  it('reports a goal whose cell or peer is missing as not measured, with the reason', () => {
    const none = goalsOf([]);
    for (const id of newGoals) expect(none.get(id)).toMatchObject({ status: 'not measured', note: expect.stringMatching(/^no measured (minilm|clip) cell on cpu in this run$/) });
    expect(none.get('minilm-latency')?.measured).toBeUndefined();
    const withoutPipeline = goalsOf([miniLmCell({ latency: 3, load: 300 }, { latency: 3, load: 300 }, 'transformers.js in Node has no wasm device')]);
    expect(withoutPipeline.get('minilm-latency-vs-pipeline')).toMatchObject({ status: 'not measured' });
    expect(withoutPipeline.get('minilm-latency-vs-pipeline')?.note).toContain('pipeline skipped: transformers.js in Node has no wasm device');
  });

  it('gives one memory goal per cpu cell: accel ÷ raw ORT peak RSS added, each in a process of its own', () => {
    const times = [{ latency: 3, load: 300 }, { latency: 3, load: 300 }, { latency: 3, load: 300 }] as const;
    expect(goalsOf([miniLmCell(...times, [110, 100])]).get('memory-minilm')).toMatchObject({ status: 'met', measured: expect.closeTo(1.1, 10), goal: '≤ 1.15' });
    const notMet = goalsOf([miniLmCell(...times, [130, 100])]).get('memory-minilm');
    expect(notMet).toMatchObject({ status: 'not met', measured: expect.closeTo(1.3, 10) });
    expect(notMet?.note).toBe('accel +130 MiB, raw ORT +100 MiB');
    expect(goalsOf([miniLmCell(...times)]).get('memory-minilm')).toMatchObject({ status: 'not measured', note: 'memory not probed in this run' });
    // A raw peer that did not run is skipped with its reason, never met.
    const rawSkipped: CellResult = {
      ...miniLmCell(...times, [110, 100]),
      memory: { requests: 'load', subjects: [probed('accel', 'accel', 110), { role: 'onnxruntime', label: 'session.run', status: 'skipped', reason: 'no direct runtime peer for cpu' }] },
    };
    expect(goalsOf([rawSkipped]).get('memory-minilm')).toMatchObject({ status: 'not measured', note: 'raw ORT skipped: no direct runtime peer for cpu' });
    const failedCell: CellResult = { ...miniLmCell(...times), status: 'failed', reason: 'accel: could not load' };
    expect(goalsOf([failedCell]).get('memory-minilm')).toMatchObject({ status: 'not measured', note: 'failed: accel: could not load' });
    // Only cpu cells have a memory goal, and the fixed goals keep their place before them.
    const ids = evaluateGoals({ cells: [miniLmCell(...times, [110, 100]), { ...miniLmCell(...times, [110, 100]), profile: 'bert-tiny', backend: 'wasm' }] }).map((goal) => goal.id);
    expect(ids.filter((id) => id.startsWith('memory-'))).toEqual(['memory-minilm']);
    expect(ids.at(-1)).toBe('memory-minilm');
    expect(ids.indexOf('clip-load')).toBeLessThan(ids.indexOf('memory-minilm'));
  });

  it('combines the new goals over --repeat runs by id, like the others', () => {
    const run = (accelLatency: number, accelMemory: number) => evaluateGoals({ cells: [miniLmCell({ latency: accelLatency, load: 300 }, { latency: 3, load: 300 }, { latency: 4, load: 300 }, [accelMemory, 100])] });
    const combined = new Map(combineGoals([run(3.3, 110), run(3.9, 120), run(3.45, 125)]).map((goal) => [goal.id, goal]));
    expect(combined.get('minilm-latency')).toMatchObject({ status: 'met', measured: expect.closeTo(1.15, 10), spread: { min: expect.closeTo(1.1, 10), max: expect.closeTo(1.3, 10), runs: 3 } });
    expect(combined.get('memory-minilm')).toMatchObject({ status: 'not met', measured: expect.closeTo(1.2, 10), spread: { values: [expect.closeTo(1.1, 10), expect.closeTo(1.2, 10), expect.closeTo(1.25, 10)] } });
  });
});

describe('reporters', () => {
  it('lays the Markdown out as tables with the ratio columns and the goals', () => {
    const markdown = renderMarkdownReport(result);
    expect(markdown).toContain(
      '| model | platform | runs | throughput, batch 32 | throughput, 64 concurrent singles | event-loop max delay (median of samples) | latency p50 / p95, batch 1 | peak RSS added (own process) | load (to first answer) | × raw ORT | × pipeline |',
    );
    expect(markdown).toContain('| minilm | cpu (onnxruntime-node 1.30.0) | **accel** | 610 items/s | 500 items/s | 12.0 ms | 3.00 ms / 4.50 ms | +120 MiB | 300 ms | 1.05× | 0.88× |');
    expect(markdown).toContain('| minilm | cuda | skipped: backend unavailable (see Backends) |');
    expect(markdown).toContain('| gpt2 | cpu (onnxruntime-node 1.30.0) | **accel** | 40.0 tokens/s | 32 | 45.0 ms |');
    expect(markdown).toMatch(/\| MiniLM, batch 32: accel ÷ raw ORT time \| ≤ 1\.1 \| 1\.05× \| met \|/);
    expect(markdown).toMatch(/\| 64 concurrent single requests, MiniLM: accel throughput ÷ raw ORT batch-32 throughput \| ≥ 0\.85 \| 0\.78× \| \*\*not met\*\* \|/);
    expect(markdown).toContain('| **accel** (two endpoints) | model B | 600 items/s | 264 items/s | 0.44× |');
    expect(markdown).toContain('| cuda | no | skipped | no NVIDIA driver found |');
    const columns = markdown.split('\n').find((text) => text.startsWith('| model | platform | runs | throughput, batch 32'))!.split(' | ').length;
    const rows = markdown.split('\n').filter((text) => text.startsWith('| minilm | cpu (') || text.startsWith('| minilm | cuda | skipped'));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.split(' | ').length).toBe(columns);
  });

  it('has a Memory section: each subject in a process of its own, accel ÷ each peer, and the memory goal', () => {
    const markdown = renderMarkdownReport(result);
    expect(markdown).toContain('## Memory');
    expect(markdown).toContain('| model | platform | subject | peak RSS added | held after the first requests | peak RSS (child) | first requests | accel ÷ raw ORT | accel ÷ pipeline |');
    expect(markdown).toContain('| minilm | cpu | **accel** | +120 MiB | +110 MiB | 210 MiB (baseline 90 MiB, fresh 43 MiB) | load, a request of 1 item, a request of 32 items | 1.20× | 0.80× |');
    expect(markdown).toContain("| minilm | cpu | pipeline('feature-extraction') | +150 MiB |");
    expect(markdown).toContain('Kernel peak read here: VmHWM.');
    expect(markdown).toMatch(/\| minilm: peak RSS added, accel ÷ raw ORT \(each subject in a process of its own\) \| ≤ 1\.15 \| 1\.20× \| \*\*not met\*\* \| accel \+120 MiB, raw ORT \+100 MiB \|/);
    expect(markdown).toMatch(/\| gpt2: peak RSS added, accel ÷ raw ORT \(each subject in a process of its own\) \| ≤ 1\.15 \| – \| not measured \| memory not probed in this run \|/);
    expect(renderMarkdownReport({ ...result, cells: result.cells.map(({ memory: _memory, ...rest }) => rest) })).not.toContain('## Memory');
  });

  it('draws one bar per ratio as valid SVG, green when accel is better', () => {
    const svg = renderResultChart(result);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expectWellFormedXml(svg);
    const bars = chartBars(result);
    expect(bars).toHaveLength(result.cells.reduce((count, entry) => count + entry.ratios.length, 0) + 1);
    expect(bars.at(-1)).toMatchObject({ value: expect.closeTo(0.5 / 0.27, 10), better: 'higher' });
    const barRects = [...svg.matchAll(/<rect x="([^"]+)" y="[^"]+" width="([^"]+)" height="14" fill="(#[0-9a-f]+)"\/>/g)];
    expect(barRects).toHaveLength(bars.length);
    for (const [, x, width] of barRects) expect(Number.isFinite(Number(x)) && Number(width) > 0).toBe(true);
    const concurrent = bars.findIndex((bar) => bar.label.includes('concurrent singles throughput, accel ÷ naive'));
    expect(barRects[concurrent]?.[3]).toBe('#2e7d32');
    const batchVsRaw = bars.findIndex((bar) => bar.label === 'minilm · cpu · batch time, accel ÷ raw onnxruntime');
    expect(barRects[batchVsRaw]?.[3]).toBe('#c62828');
    expect(svg).toContain('1.05×');
  });

  it('escapes text in the SVG', () => {
    const svg = renderResultChart({ ...result, cells: [{ ...result.cells[0]!, profile: 'a<b>&c' }] });
    expectWellFormedXml(svg);
    expect(svg).toContain('a&lt;b&gt;&amp;c');
  });

  it('writes machine paths relative to the repository, so a committed report does not name the machine', async () => {
    const root = findWorkspaceRoot()!;
    const binding = join(root, 'node_modules', 'onnxruntime-node', 'bin');
    const withPaths: BenchResult = { ...result, backends: [{ backend: 'cuda', available: false, selected: true, reason: `provider missing from ${binding}` }] };
    const directory = mkdtempSync(join(tmpdir(), 'accel-bench-reports-'));
    try {
      const files = await writeReports(withPaths, directory);
      expect(files).toEqual(['bench.json', 'bench.md', 'ratios.svg'].map((name) => join(directory, name)));
      const json = readFileSync(join(directory, 'bench.json'), 'utf8');
      expect(json).toContain('provider missing from node_modules/onnxruntime-node/bin');
      for (const file of files) expect(readFileSync(file, 'utf8')).not.toContain(root);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('renders a progress bar with megabytes written and the total', () => {
    expect(renderProgressBar('Xenova/gpt2/onnx/model.onnx', 326e6, 652e6, 10)).toBe('Xenova/gpt2/onnx/model.onnx [#####.....] 326.0 / 652.0 MB');
    expect(renderProgressBar('empty', 0, 0, 4)).toBe('empty [####] 0.0 / 0.0 MB');
  });
});

describe('bench inputs and helpers', () => {
  it('makes distinct sentences, so concurrent requests are not merged by deduplication', () => {
    const sentences = benchSentences(64);
    expect(new Set(sentences).size).toBe(64);
    for (const sentence of sentences) expect(sentence.split(' ').length).toBe(13);
  });

  it('writes a PNG whose pixels inflate to the expected size', () => {
    const png = encodeTestPng(8, 4, 1);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
    expect(inflateSync(png.subarray(41, 41 + idatLength))).toHaveLength((8 * 3 + 1) * 4);
  });

  it('counts the batches that served single requests', () => {
    expect(batchesFormed(Array.from({ length: 64 }, () => 32))).toEqual([32, 32]);
    expect(batchesFormed([1, ...Array.from({ length: 63 }, () => 63)])).toEqual([63, 1]);
  });

  it('finds the argmax of a row', () => {
    expect(argmax(Float32Array.of(9, 1, 5, 3, 2), 1, 4)).toBe(1);
  });

  it('selects profiles by id or skill name, and the quick subset', () => {
    // A skill name picks each of its profiles; a profile id (gpt2 is also a skill name) picks that profile alone.
    expect(selectProfiles(benchProfiles, { quick: false, skills: ['sentence-embeddings', 'gpt2'] }).map((profile) => profile.id)).toEqual(['minilm', 'minilm-q8', 'gpt2']);
    expect(selectProfiles(benchProfiles, { quick: false, skills: ['gpt2-q8'] }).map((profile) => profile.id)).toEqual(['gpt2-q8']);
    expect(selectProfiles(benchProfiles, { quick: true }).map((profile) => profile.id)).toEqual(['bert-tiny', 'minilm', 'minilm-q8', 'clip', 'gpt2', 'gpt2-q8', 'whisper-tiny']);
    expect(() => selectProfiles(benchProfiles, { quick: false, skills: ['nope'] })).toThrow(/unknown bench profile or skill nope/);
  });
});

/** `accel bench` as the CLI runs it: the bench's flags parsed strictly, a plain table layout. */
async function bench(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...benchFlags, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) => [headers, ...rows].map((row) => row.join(' | ')).join('\n');
  return runBenchCommand(values as BenchCommandFlags, positionals.slice(1), argv, { ...io, renderTable });
}

describe('accel bench on tiny models', () => {
  const folder = mkdtempSync(join(tmpdir(), 'accel-bench-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes bench.json, bench.md and ratios.svg, and lists cuda and openvino as skipped with a reason', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const out = join(folder, 'reports');
    const code = await bench(
      ['bench', '--quick', '--size', 'tiny', '--skills', 'bert-tiny,minilm,gpt2', '--backends', 'cpu,cuda,openvino', '--cache-dir', join(folder, 'models'), '--out', out],
      { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    );
    expect(stderr.join('\n')).not.toMatch(/^error:/m);
    expect(code).toBe(0);
    for (const file of ['bench.json', 'bench.md', 'ratios.svg']) expect(existsSync(join(out, file))).toBe(true);

    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    expect(written.modelSize).toBe('tiny');
    const measured = written.cells.filter((entry) => entry.status === 'measured').map((entry) => `${entry.profile}@${entry.backend}`);
    expect(measured).toEqual(['bert-tiny@cpu', 'minilm@cpu', 'gpt2@cpu']);
    for (const backend of ['cuda', 'openvino']) {
      const skipped = written.cells.filter((entry) => entry.backend === backend);
      expect(skipped.length).toBeGreaterThan(0);
      for (const entry of skipped) {
        expect(entry.status).toBe('skipped');
        expect(entry.reason?.length ?? 0).toBeGreaterThan(5);
      }
    }
    const miniLm = written.cells.find((entry) => entry.profile === 'minilm' && entry.backend === 'cpu')!;
    expect(miniLm.subjects.map((entry) => `${entry.role}:${entry.status}`)).toEqual(['accel:measured', 'onnxruntime:measured', 'pipeline:measured']);
    expect(findRatio(miniLm.ratios, 'batch-time/onnxruntime')).toBeGreaterThan(0);
    expect(miniLm.subjects[0]?.measurements.concurrent?.eventLoopMaxDelayMs).toBeGreaterThanOrEqual(0);
    expect(written.cells.find((entry) => entry.profile === 'gpt2')?.subjects[0]?.measurements.generation?.newTokens).toBeGreaterThan(0);
    expect(written.coServing?.status).toBe('measured');
    expect(written.goals.map((goal) => goal.status)).not.toContain(undefined);

    // The memory probe: each subject of bert-tiny, the smallest model, in a process of its own.
    const bertTiny = written.cells.find((entry) => entry.profile === 'bert-tiny' && entry.backend === 'cpu')!;
    for (const role of ['accel', 'onnxruntime'] as const) {
      const probe = bertTiny.memory?.subjects.find((entry) => entry.role === role);
      expect(probe?.status, probe?.reason).toBe('measured');
      const { addedRssBytes, peakRssBytes, baselineRssBytes, freshRssBytes } = probe!.measurement!;
      expect(Number.isFinite(addedRssBytes) && addedRssBytes > 0).toBe(true);
      expect(Number.isFinite(probe!.measurement!.heldRssBytes)).toBe(true);
      expect(peakRssBytes).toBe(baselineRssBytes + addedRssBytes);
      expect(baselineRssBytes).toBeGreaterThan(freshRssBytes);
    }
    const memoryGoal = written.goals.find((goal) => goal.id === 'memory-bert-tiny')!;
    expect(memoryGoal.measured).toBeCloseTo(bertTiny.memory!.subjects[0]!.measurement!.addedRssBytes / bertTiny.memory!.subjects[1]!.measurement!.addedRssBytes, 10);
    const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(markdown).toContain('## Memory');
    expect(markdown).toMatch(/\| cuda \| no \| skipped \| .+ \|/);
    expect(markdown).toContain('## Goals (issues 6 and 17)');
    expectWellFormedXml(readFileSync(join(out, 'ratios.svg'), 'utf8'));
    expect(stdout.join('\n')).toContain(`wrote ${join(out, 'bench.md')}`);
  }, 120_000);

  it('serves accel from replicas with --replicas, and says so in the report', async () => {
    const out = join(folder, 'replicas');
    const code = await bench(
      ['bench', '--quick', '--size', 'tiny', '--skills', 'bert-tiny', '--backends', 'cpu', '--replicas', '2', '--cache-dir', join(folder, 'models'), '--out', out],
      { stdout: () => undefined, stderr: () => undefined },
    );
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    expect(written.replicas).toBe(2);
    const accelSubject = written.cells.find((entry) => entry.profile === 'bert-tiny')?.subjects.find((entry) => entry.role === 'accel');
    expect(accelSubject?.status).toBe('measured');
    expect(accelSubject?.notes).toContain('worker isolation, 2 replicas × 1 intra-op thread');
    expect(readFileSync(join(out, 'bench.md'), 'utf8')).toContain('2 replicas each (--replicas)');
  }, 120_000);

  it('runs the q8 profiles next to fp32 --repeat 2 times: goals on the median with their spread, agreement with fp32 in [0, 1]', async () => {
    const stdout: string[] = [];
    const out = join(folder, 'repeat');
    const code = await bench(
      ['bench', '--quick', '--size', 'tiny', '--skills', 'minilm,minilm-q8,gpt2,gpt2-q8', '--backends', 'cpu', '--repeat', '2', '--cache-dir', join(folder, 'models'), '--out', out],
      { stdout: (text) => stdout.push(text), stderr: () => undefined },
    );
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResult;
    expect(written.repeat?.runs).toHaveLength(2);
    for (const run of written.repeat!.runs) {
      expect(run.cells.filter((entry) => entry.status === 'measured').map((entry) => `${entry.profile}:${entry.dtype ?? 'fp32'}`)).toEqual(['minilm:fp32', 'minilm-q8:q8', 'gpt2:fp32', 'gpt2-q8:q8']);
      for (const profile of ['minilm-q8', 'gpt2-q8']) {
        const agreement = run.cells.find((entry) => entry.profile === profile)?.agreement;
        expect(agreement?.status, agreement?.reason).toBe('measured');
        expect(agreement!.value).toBeGreaterThanOrEqual(0);
        expect(agreement!.value).toBeLessThanOrEqual(1);
      }
    }
    expect(written.cells).toEqual(written.repeat!.runs[0]!.cells);
    for (const id of ['minilm-q8-vs-fp32', 'gpt2-q8-vs-fp32', 'minilm-q8-batch', 'gpt2-q8-greedy', 'minilm-batch', 'gpt2-greedy']) {
      const combined = written.goals.find((entry) => entry.id === id)!;
      const perRun = written.repeat!.runs.map((run) => run.goals.find((entry) => entry.id === id)!.measured!);
      expect(combined.spread?.values).toEqual(perRun);
      expect(combined.measured).toBeCloseTo((perRun[0]! + perRun[1]!) / 2, 12);
      expect(combined.spread!.min).toBe(Math.min(...perRun));
      expect(combined.spread!.max).toBe(Math.max(...perRun));
    }
    const q8Cell = written.cells.find((entry) => entry.profile === 'gpt2-q8')!;
    expect(q8Cell.subjects.find((entry) => entry.role === 'onnxruntime')?.notes).toContain('onnx/model_quantized.onnx');
    expect(q8Cell.subjects.find((entry) => entry.role === 'accel')?.notes).toContain('dtype q8');
    expect(written.repeat!.ratios.find((entry) => entry.profile === 'minilm-q8' && entry.id === 'batch-time/onnxruntime')?.values).toHaveLength(2);
    const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(markdown).toContain('## Spread over 2 runs');
    expect(markdown).toContain('## int8 (q8) on the CPU');
    expect(markdown).toContain('| measure | goal | median of 2 runs | min – max | status | run 1 |');
    expect(stdout.join('\n')).toMatch(/gpt2-q8 on cpu: greedy-token agreement over 32 tokens with fp32: [01]\.\d{4}/);
  }, 180_000);

  it('gives agreement 1 for fp32 against fp32 through accel itself', async () => {
    const root = join(folder, 'models');
    const { directory: miniLm } = await forgeModel('Xenova/all-MiniLM-L6-v2', { root, size: 'tiny' });
    const { directory: gpt2 } = await forgeModel('Xenova/gpt2', { root, size: 'tiny' });
    const backend = (await (await import('@accel/backend-cpu')).createCpuBackend()) as BackendV1;
    const embeddingSkill = (await import('@accel/skill-sentence-embeddings')).sentenceEmbeddingsSkill as SkillV1;
    const gpt2Skill = (await import('@accel/skill-gpt2')).gpt2Skill as SkillV1;
    const texts = { input: benchSentences(4), options: { pooling: 'mean', normalize: true } };
    const embeddings = async () => ((await inferWithDtype(embeddingSkill, backend, miniLm, 'fp32', texts)) as { embeddings: number[][] }).embeddings;
    expect(embeddingAgreement(await embeddings(), await embeddings()).lowest).toBeCloseTo(1, 6);
    const prompt = { input: 'Once upon a time', options: { maxNewTokens: 8 } };
    const tokens = async () => ((await inferWithDtype(gpt2Skill, backend, gpt2, 'fp32', prompt)) as { tokens: number[] }).tokens;
    const first = await tokens();
    expect(first.length).toBeGreaterThan(0);
    expect(tokenAgreement(first, await tokens()).share).toBe(1);
  }, 60_000);

  it('refuses unknown backends, stray arguments and wrong values with an InvalidInputError, before measuring', async () => {
    for (const argv of [
      ['bench', '--backends', 'tpu', '--size', 'tiny', '--cache-dir', join(folder, 'models'), '--out', join(folder, 'unused')],
      ['bench', 'bert'],
      ['bench', '--size', 'huge'],
      ['bench', '--replicas', '0'],
      ['bench', '--repeat', '0'],
      ['bench', '--repeat', '1.5'],
      ['bench', '--server', '--repeat', '3'],
    ]) {
      const stderr: string[] = [];
      const error: unknown = await bench(argv, { stdout: () => undefined, stderr: (text) => stderr.push(text) }).catch((thrown: unknown) => thrown);
      expect(AccelError.isInstance(error) && error.code).toBe('ACCEL_INVALID_INPUT');
      expect(stderr).toEqual([]);
    }
    expect(existsSync(join(folder, 'unused'))).toBe(false);
  });
});
