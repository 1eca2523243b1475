import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { BackendV1, InferResult, SkillV1 } from '@accel/core';
import { loadCpuBackend } from '../backends.js';
import { describeError } from '../describe-error.js';
import { benchTextsOfTokens } from '../inputs/sentences.js';
import { synthesizeAudio } from '../inputs/test-audio.js';
import { ensureModel, type ModelSize } from '../model-cache.js';
import { gpt2Profile } from '../profiles/gpt2.js';
import { miniLmProfile } from '../profiles/minilm.js';
import { benchPrompt } from '../profiles/text-generation-profile.js';
import { whisperTinyProfile } from '../profiles/whisper-tiny.js';
import type { ProgressOutput } from '../progress-bar.js';
import { describeMachine } from '../runner.js';
import { sampleDurations } from '../sample-durations.js';
import { median, summarize } from '../statistics.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import type { BenchSubject } from '../subjects/bench-subject.js';
import { onnxRuntimeFor, type OnnxRuntime } from '../subjects/onnx-runtime.js';
import { createRawDecoderLoopSubject } from '../subjects/raw-decoder-loop.js';
import { createRawTextEncoderSubject } from '../subjects/raw-text-encoder.js';
import { createRawWhisperSubject } from '../subjects/raw-whisper.js';
import { loadTransformers, transformersName } from '../subjects/transformers-library.js';
import { fitCurve, growthSteps } from './fit.js';
import { evaluateScalingGoals, growthTolerance, ratioThreshold } from './scaling-goals.js';
import type { ScalingBenchResult, ScalingPoint, ScalingSide, ScalingSweep, SweepId } from './scaling-result.js';
import { fullScalingSettings, quickScalingSettings, smokeScalingSettings, type PointPlan, type ScalingSettings, type ScalingSweepSettings } from './scaling-settings.js';

export interface ScalingBenchOptions {
  readonly quick: boolean;
  /** Model cache root (the forged models go to `<cacheDirectory>/<owner>/<name>/`). */
  readonly cacheDirectory: string;
  /** `tiny` (tests) forges tiny models and takes two or three points per sweep, one sample each. */
  readonly size: ModelSize;
  /** The command line, for the report. */
  readonly command: string;
  readonly log: (message: string) => void;
  readonly progress: ProgressOutput;
}

function settingsFor(options: Pick<ScalingBenchOptions, 'quick' | 'size'>): ScalingSettings {
  if (options.size === 'tiny') return smokeScalingSettings;
  return options.quick ? quickScalingSettings : fullScalingSettings;
}

/** A sweep's two subjects and how a point is set up and run. */
interface SweepRun {
  readonly accel: BenchSubject;
  readonly raw: BenchSubject;
  /** Untimed, before the first point (beyond each point's own warm-up). */
  warmUp?(): Promise<void>;
  /** Sets the inputs for point `x` (untimed); returns what the point records besides the times. */
  prepare(x: number): Promise<Record<string, number>>;
  /** One request at point `x`; returns the units of work it did, in x's unit (x when it did all the work asked; fewer tokens when a generation stopped early). */
  run(subject: BenchSubject, x: number): Promise<number>;
  /** After the point is measured: more details, or a thrown error when the two sides did different work. */
  check?(x: number): Record<string, number>;
}

/** What a sweep is, for the report, before anything runs. */
interface SweepIdentity {
  readonly id: SweepId;
  readonly title: string;
  readonly model: string;
  readonly variable: string;
  readonly unit: string;
  readonly fixed: string;
  readonly cost: string;
  readonly caveats: readonly string[];
}

interface SweepContext {
  readonly backend: BackendV1;
  readonly runtime: OnnxRuntime;
  readonly model: string;
  readonly settings: ScalingSettings;
}

const tokenizers = new Map<string, Promise<{ encode(text: string): unknown }>>();

/** The model's tokenizer (transformers.js, from its folder), loaded once per run. */
function tokenizerOf(model: string): Promise<{ encode(text: string): unknown }> {
  let tokenizer = tokenizers.get(model);
  if (tokenizer === undefined) {
    tokenizer = loadTransformers().then(({ AutoTokenizer }) => AutoTokenizer.from_pretrained(model, { local_files_only: true }));
    tokenizers.set(model, tokenizer);
  }
  return tokenizer;
}

/** Each text's token count (special tokens included) by the model's own tokenizer; throws unless every one is `tokens`. */
async function checkTokenLengths(model: string, texts: readonly string[], tokens: number): Promise<void> {
  const tokenizer = await tokenizerOf(model);
  const lengths = new Set(texts.map((text) => (tokenizer.encode(text) as number[]).length));
  if (lengths.size !== 1 || !lengths.has(tokens)) throw new Error(`the texts built for ${tokens} tokens tokenize to ${[...lengths].sort((a, b) => a - b).join(', ')} tokens`);
}

const embeddingRequest = { pooling: 'mean', normalize: true } as const;

function miniLmBatchSweep(skill: SkillV1, { backend, runtime, model, settings }: SweepContext): SweepRun {
  const texts = benchTextsOfTokens(Math.max(...settings.miniLmBatch.points), settings.batchSweepSequence);
  return {
    accel: createAccelSubject({ skill, backend, endpoint: { replicas: 1 }, model, samples: texts, request: (samples) => ({ input: samples.length === 1 ? samples[0] : samples, options: embeddingRequest }) }),
    raw: createRawTextEncoderSubject({ runtime, model, texts }),
    async prepare(size) {
      await checkTokenLengths(model, texts.slice(0, size), settings.batchSweepSequence);
      return {};
    },
    async run(subject, size) {
      await subject.runBatch!(size);
      return size;
    },
  };
}

function miniLmSequenceSweep(skill: SkillV1, { backend, runtime, model, settings }: SweepContext): SweepRun {
  const batch = settings.sequenceSweepBatch;
  let texts: string[] = [];
  const indices = Array.from({ length: batch }, (_, index) => index);
  return {
    accel: createAccelSubject({ skill, backend, endpoint: { replicas: 1 }, model, samples: indices, request: (picked) => ({ input: picked.map((index) => texts[index]!), options: embeddingRequest }) }),
    raw: createRawTextEncoderSubject({ runtime, model, texts: () => texts }),
    async prepare(tokens) {
      texts = benchTextsOfTokens(batch, tokens);
      await checkTokenLengths(model, texts, tokens);
      return {};
    },
    async run(subject, tokens) {
      await subject.runBatch!(batch);
      // Units in the swept variable's own unit: each of the batch's texts is `tokens` long.
      return tokens;
    },
  };
}

interface DecoderConfig {
  readonly n_layer?: number;
  readonly n_head?: number;
  readonly n_embd?: number;
  readonly num_hidden_layers?: number;
  readonly num_attention_heads?: number;
  readonly hidden_size?: number;
}

/** Bytes of a decoder's fp32 KV cache holding `tokens` positions: 2 (key and value) × layers × heads × head size × tokens × 4. */
export function kvCacheBytes(config: DecoderConfig, tokens: number): number {
  const layers = config.n_layer ?? config.num_hidden_layers;
  const heads = config.n_head ?? config.num_attention_heads;
  const hidden = config.n_embd ?? config.hidden_size;
  if (layers === undefined || heads === undefined || hidden === undefined) throw new Error('config.json names no layer count, head count or hidden size');
  return 2 * layers * heads * (hidden / heads) * tokens * 4;
}

async function gpt2Sweep(skill: SkillV1, { backend, runtime, model }: SweepContext): Promise<SweepRun> {
  const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as DecoderConfig;
  const promptTokens = ((await tokenizerOf(model)).encode(benchPrompt) as number[]).length;
  const generated = new Map<BenchSubject, number[]>();
  const accel = createAccelSubject({
    skill,
    backend,
    endpoint: { replicas: 1 },
    model,
    samples: [benchPrompt],
    request: (samples, newTokens) => ({ input: samples[0], options: { maxNewTokens: newTokens } }),
    countTokens: (output) => (output as { tokens: readonly number[] }).tokens.length,
  });
  const raw = createRawDecoderLoopSubject({ runtime, model, prompt: benchPrompt });
  return {
    accel,
    raw,
    async warmUp() {
      await accel.generate!(4);
      await raw.generate!(4);
    },
    async prepare(tokens) {
      generated.clear();
      return { promptTokens, kvCacheBytes: kvCacheBytes(config, promptTokens + tokens) };
    },
    async run(subject, tokens) {
      const count = await subject.generate!(tokens);
      generated.set(subject, [...(generated.get(subject) ?? []), count]);
      return count;
    },
    check() {
      return { accelTokens: median(generated.get(accel) ?? [0]) };
    },
  };
}

interface PreprocessorConfig {
  readonly chunk_length?: number;
  readonly sampling_rate?: number;
}

async function whisperSweep(skill: SkillV1, { backend, runtime, model, settings }: SweepContext): Promise<SweepRun> {
  const { splitIntoWindows, whisperStrideSeconds, whisperWindowsPerGenerate } = await import('@accel/skill-whisper');
  const preprocessor = JSON.parse(await readFile(join(model, 'preprocessor_config.json'), 'utf8')) as PreprocessorConfig;
  const windowSeconds = preprocessor.chunk_length ?? 30;
  const sampleRate = preprocessor.sampling_rate ?? 16000;
  const newTokens = settings.whisperTokens;
  let audio = synthesizeAudio(1, sampleRate);
  let observed: { windows: number[]; tokens: number[] } = { windows: [], tokens: [] };
  const split = (samples: Float32Array) => splitIntoWindows(samples, sampleRate, windowSeconds, whisperStrideSeconds).map((window) => window.samples);
  return {
    accel: createAccelSubject({
      skill,
      backend,
      endpoint: { replicas: 1 },
      model,
      samples: [0],
      request: () => ({ input: audio, options: { maxNewTokens: newTokens, language: 'en' } }),
      observe: (result: InferResult<unknown>) => {
        observed.windows.push((result.output as { transcripts?: Array<{ windows?: number }> }).transcripts?.[0]?.windows ?? 0);
        observed.tokens.push(result.provenance.usage?.outputTokens ?? 0);
      },
    }),
    raw: createRawWhisperSubject({ runtime, model, audio: () => audio.samples, newTokens, windows: { split, windowsPerRun: whisperWindowsPerGenerate } }),
    async prepare(seconds) {
      audio = synthesizeAudio(seconds, sampleRate);
      observed = { windows: [], tokens: [] };
      const windows = split(audio.samples).length;
      return { windows, rawTokens: windows * newTokens };
    },
    async run(subject, seconds) {
      await subject.runSingle!(0);
      return seconds;
    },
    check() {
      const windows = split(audio.samples).length;
      const accelWindows = new Set(observed.windows);
      if (accelWindows.size !== 1 || !accelWindows.has(windows)) throw new Error(`accel cut the audio into ${[...accelWindows].join(', ')} windows, the raw peer into ${windows}`);
      return { accelTokens: median(observed.tokens) };
    },
  };
}

/** Runs every side per `plan`: warm-up in the first round, then alternating rounds (each side first in turn, the first one changing from point to point). */
async function measurePoint(run: SweepRun, x: number, plan: PointPlan, pointIndex: number, log: (message: string) => void): Promise<ScalingPoint> {
  const details = await run.prepare(x);
  const sides = [run.accel, run.raw];
  const collected = new Map<BenchSubject, { durations: number[]; units: number[] }>(sides.map((side) => [side, { durations: [], units: [] }]));
  const startedAt = performance.now();
  let rounds = 0;
  while (rounds < plan.maxRounds && (rounds < plan.minRounds || performance.now() - startedAt < plan.budgetMs)) {
    const order = (pointIndex + rounds) % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const entry = collected.get(side)!;
      let units = 0;
      entry.durations.push(
        ...(await sampleDurations(
          async () => {
            units = await run.run(side, x);
          },
          { ...plan.sampling, warmup: rounds === 0 ? plan.warmup : 0 },
          () => void entry.units.push(units),
        )),
      );
    }
    rounds += 1;
  }
  const summarizeSide = (side: BenchSubject): ScalingSide => {
    const { durations, units } = collected.get(side)!;
    const milliseconds = summarize(durations);
    const done = median(units);
    if (!(done > 0)) throw new Error(`${side.label} did no work at ${x}`);
    const perUnitMilliseconds = milliseconds.median / done;
    return { label: side.label, milliseconds, units: done, cost: perUnitMilliseconds * x, perUnitMilliseconds };
  };
  const accel = summarizeSide(run.accel);
  const raw = summarizeSide(run.raw);
  const allDetails = { ...details, ...run.check?.(x) };
  log(`    ${x}: accel ${accel.cost.toFixed(1)} ms, raw ${raw.cost.toFixed(1)} ms, ${(accel.cost / raw.cost).toFixed(2)}× (${rounds} round${rounds === 1 ? '' : 's'})`);
  return { x, status: 'measured', accel, raw, ratio: accel.cost / raw.cost, rounds, ...(Object.keys(allDetails).length > 0 ? { details: allDetails } : {}) };
}

/** Fits and steps over the measured points, when there are two or more. */
function analyse(points: readonly ScalingPoint[]): Pick<ScalingSweep, 'fits' | 'steps'> {
  const measured = points.filter((point) => point.status === 'measured' && point.accel !== undefined && point.raw !== undefined);
  if (measured.length < 2) return {};
  const xs = measured.map((point) => point.x);
  return {
    fits: { accel: fitCurve(xs, measured.map((point) => point.accel!.cost)), raw: fitCurve(xs, measured.map((point) => point.raw!.cost)) },
    steps: growthSteps(measured.map((point) => ({ x: point.x, accel: point.accel!.cost, raw: point.raw!.cost }))),
  };
}

async function measureSweep(
  identity: SweepIdentity,
  sweep: ScalingSweepSettings,
  create: () => Promise<SweepRun>,
  settings: ScalingSettings,
  log: (message: string) => void,
): Promise<ScalingSweep> {
  const base = { ...identity, backend: 'cpu' as const };
  log(`${identity.id}: ${identity.title}`);
  let run: SweepRun;
  try {
    run = await create();
  } catch (error) {
    return { ...base, status: 'failed', reason: `could not set up: ${describeError(error)}`, points: [], notes: { accel: [], raw: [] } };
  }
  try {
    for (const subject of [run.accel, run.raw]) {
      log(`  loading ${subject.label}`);
      await subject.load();
    }
    if (settings.settleMs > 0) await new Promise((done) => setTimeout(done, settings.settleMs));
    await run.warmUp?.();
  } catch (error) {
    await Promise.all([run.accel.dispose(), run.raw.dispose()].map((promise) => promise.catch(() => undefined)));
    return { ...base, status: 'failed', reason: `could not load: ${describeError(error)}`, points: [], notes: { accel: [...run.accel.notes], raw: [...run.raw.notes] } };
  }
  const points: ScalingPoint[] = [];
  try {
    for (const [index, x] of sweep.points.entries()) {
      try {
        points.push(await measurePoint(run, x, sweep.plan, index, log));
      } catch (error) {
        log(`    ${x}: failed: ${describeError(error)}`);
        points.push({ x, status: 'failed', reason: describeError(error), rounds: 0 });
      }
    }
  } finally {
    await Promise.all([run.accel.dispose(), run.raw.dispose()].map((promise) => promise.catch(() => undefined)));
  }
  const measured = points.some((point) => point.status === 'measured');
  return {
    ...base,
    status: measured ? 'measured' : 'failed',
    ...(measured ? {} : { reason: 'no point was measured' }),
    points,
    notes: { accel: [...run.accel.notes], raw: [...run.raw.notes] },
    ...analyse(points),
  };
}

function identities(settings: ScalingSettings): Record<SweepId, SweepIdentity> {
  return {
    'minilm-batch': {
      id: 'minilm-batch',
      title: 'MiniLM: batch size',
      model: miniLmProfile.model,
      variable: 'batch size',
      unit: 'item',
      fixed: `${settings.batchSweepSequence} tokens per text (checked with the model's tokenizer), mean pooling, normalised`,
      cost: 'time for one batch',
      caveats: ['raw onnxruntime times session.run alone, on tensors tokenized and padded before timing; accel\'s time includes tokenizing, pooling and the worker hop'],
    },
    'minilm-sequence': {
      id: 'minilm-sequence',
      title: 'MiniLM: sequence length',
      model: miniLmProfile.model,
      variable: 'sequence length',
      unit: `token of length (a batch of ${settings.sequenceSweepBatch})`,
      fixed: `batch of ${settings.sequenceSweepBatch} texts, each exactly that many tokens with [CLS] and [SEP] (checked with the model's tokenizer)`,
      cost: 'time for one batch',
      caveats: ['raw onnxruntime times session.run alone, on tensors tokenized before timing; accel\'s time includes tokenizing, pooling and the worker hop'],
    },
    'gpt2-tokens': {
      id: 'gpt2-tokens',
      title: 'gpt2: new tokens',
      model: gpt2Profile.model,
      variable: 'new tokens',
      unit: 'token',
      fixed: 'one prompt (the main bench\'s), greedy, batch 1',
      cost: 'time per token × new tokens asked (accel may stop at end-of-sequence; the raw loop always produces the tokens asked, so the two are compared per token, as in the main bench)',
      caveats: [
        'the KV cache size is computed, not measured: 2 (key and value) × layers × heads × head size × (prompt + new tokens) × 4 bytes, from the model\'s config.json',
        'raw onnxruntime: the prompt is tokenized before timing, then session.run + argmax per token with the KV cache',
      ],
    },
    'whisper-audio': {
      id: 'whisper-audio',
      title: 'whisper-tiny: audio length',
      model: whisperTinyProfile.model,
      variable: 'audio length',
      unit: 'second of audio',
      fixed: `greedy, at most ${settings.whisperTokens} tokens per 30 s window (the main bench's budget), English, no timestamps`,
      cost: 'time for one transcription',
      caveats: [
        'accel cuts long audio into 30 s windows overlapping by 5 s on both sides and decodes up to 8 windows in one batch; the raw peer cuts the same audio with the skill\'s own splitIntoWindows into the same windows (checked at every point) and runs each batch of up to 8 as one encoder run and one batched greedy loop',
        'the raw peer computes log-mel features before timing and decodes exactly the token budget in every window; accel computes log-mel inside its time, stops a window at end-of-text, and stitches the windows\' transcripts (accel\'s tokens per request are in the table)',
      ],
    },
  };
}

/**
 * `accel bench --scaling`: how cost grows with the work, accel against raw onnxruntime in the same
 * run on the cpu backend — MiniLM batch size and sequence length, gpt2 new tokens, whisper-tiny
 * audio length. Each point warms up, then alternates accel and raw for a few rounds; each sweep's
 * curves are fitted (growth exponent, per-unit cost) and the goals evaluated.
 */
export async function runScalingBench(options: ScalingBenchOptions): Promise<ScalingBenchResult> {
  const startedAt = performance.now();
  const loadAverageStart = loadavg()[0] ?? 0;
  const settings = settingsFor(options);
  const { log } = options;
  const cacheDirectory = resolve(options.cacheDirectory);
  const versions: Record<string, string> = { node: process.version };
  const ids = identities(settings);
  const sweeps: ScalingSweep[] = [];
  const skip = (reason: string) => Object.values(ids).map((identity): ScalingSweep => ({ ...identity, backend: 'cpu', status: 'skipped', reason, points: [], notes: { accel: [], raw: [] } }));

  const cpu = await loadCpuBackend();
  const backend = cpu.backend;
  const unavailable = cpu.backend === undefined ? cpu.unavailable : undefined;
  if (cpu.backend !== undefined) versions.cpu = cpu.runtime;
  if (backend === undefined || unavailable !== undefined) {
    sweeps.push(...skip(unavailable ?? 'no cpu backend'));
  } else {
    const runtime = await onnxRuntimeFor('cpu')!();
    versions['transformers.js'] = await transformersName().catch(() => 'not installed');
    const context = async (model: string): Promise<SweepContext> => ({ backend, runtime, settings, model: (await ensureModel(model, cacheDirectory, options.size, options.progress)).directory });
    const plans: Array<[SweepIdentity, ScalingSweepSettings, () => Promise<SweepRun>]> = [
      [ids['minilm-batch'], settings.miniLmBatch, async () => miniLmBatchSweep(await miniLmProfile.skill.load(), await context(miniLmProfile.model))],
      [ids['minilm-sequence'], settings.miniLmSequence, async () => miniLmSequenceSweep(await miniLmProfile.skill.load(), await context(miniLmProfile.model))],
      [ids['gpt2-tokens'], settings.gpt2Tokens, async () => gpt2Sweep(await gpt2Profile.skill.load(), await context(gpt2Profile.model))],
      [ids['whisper-audio'], settings.whisperAudio, async () => whisperSweep(await whisperTinyProfile.skill.load(), await context(whisperTinyProfile.model))],
    ];
    for (const [identity, sweep, create] of plans) sweeps.push(await measureSweep(identity, sweep, create, settings, log));
  }
  return {
    kind: 'scaling',
    generatedAt: new Date().toISOString(),
    command: options.command,
    mode: options.quick ? 'quick' : 'full',
    modelSize: options.size,
    machine: describeMachine(loadAverageStart),
    versions,
    durationSeconds: (performance.now() - startedAt) / 1000,
    growthTolerance,
    ratioThreshold,
    sweeps,
    goals: evaluateScalingGoals(sweeps),
  };
}
