import type { SubjectMeasurements, SubjectResult } from './bench-result.js';
import type { BenchSettings } from './bench-settings.js';
import { EventLoopDelayRecorder } from './event-loop-delay.js';
import { describeError } from './describe-error.js';
import type { MeasureName } from './profiles/bench-profile.js';
import { sampleDurations, type SamplingPlan } from './sample-durations.js';
import { summarize } from './statistics.js';
import type { BenchSubject, SkippedSubject } from './subjects/bench-subject.js';

/** Samples collected for one subject over every round. */
interface Collected {
  latency: number[];
  batch: number[];
  concurrent: number[];
  eventLoopMaxDelays: number[];
  batchSizes: readonly number[] | undefined;
  generation: number[];
  generatedTokens: number[];
  firstToken: number[];
  speech: number[];
}

interface Loaded {
  readonly subject: BenchSubject;
  readonly loadMs: number;
  readonly collected: Collected;
  failure?: string;
}

export interface MeasurePlan {
  readonly measures: readonly MeasureName[];
  readonly settings: BenchSettings;
  readonly audioSeconds?: number;
  /** Progress lines (stderr). */
  readonly log: (message: string) => void;
}

function supports(subject: BenchSubject, measure: MeasureName): boolean {
  switch (measure) {
    case 'latency':
    case 'speech':
      return subject.runSingle !== undefined;
    case 'batch':
      return subject.runBatch !== undefined;
    case 'concurrent':
      return subject.runConcurrent !== undefined;
    case 'generation':
      return subject.generate !== undefined;
  }
}

/**
 * The first request after loading. Load time runs until it is answered: a subject may defer part of
 * its loading to the first request that needs it (accel's CLIP opens each tower on demand), and
 * "ready to answer" is what a user waits for.
 */
export async function firstRequest(subject: BenchSubject, measures: readonly MeasureName[]): Promise<void> {
  if (measures.includes('generation') && subject.generate) await subject.generate(1);
  else if (subject.runSingle) await subject.runSingle(0);
}

/** The first batch after the first request (the memory probe's peak includes a batch's buffers too). */
export async function firstBatch(subject: BenchSubject, measures: readonly MeasureName[], settings: BenchSettings): Promise<void> {
  if (measures.includes('batch') && subject.runBatch) await subject.runBatch(settings.batchSize);
}

async function load(subject: BenchSubject, plan: MeasurePlan): Promise<Loaded | SubjectResult> {
  const startedAt = performance.now();
  try {
    await subject.load();
    await firstRequest(subject, plan.measures);
    const loadMs = performance.now() - startedAt;
    await firstBatch(subject, plan.measures, plan.settings);
    return {
      subject,
      loadMs,
      collected: {
        latency: [],
        batch: [],
        concurrent: [],
        eventLoopMaxDelays: [],
        batchSizes: undefined,
        generation: [],
        generatedTokens: [],
        firstToken: [],
        speech: [],
      },
    };
  } catch (error) {
    await subject.dispose().catch(() => undefined);
    return { role: subject.role, label: subject.label, runtime: subject.runtime, status: 'failed', reason: describeError(error), measurements: {}, notes: subject.notes };
  }
}

async function collect(loaded: Loaded, measure: MeasureName, plan: MeasurePlan, round: number): Promise<void> {
  const { subject, collected } = loaded;
  const { settings } = plan;
  const fast: SamplingPlan = round === 0 ? settings.sampling : { ...settings.sampling, warmup: 0 };
  const slow: SamplingPlan = round === 0 ? settings.slowSampling : { ...settings.slowSampling, warmup: 0 };
  switch (measure) {
    case 'latency': {
      let index = 0;
      collected.latency.push(...(await sampleDurations(() => subject.runSingle!((index += 1)), fast)));
      return;
    }
    case 'batch':
      collected.batch.push(...(await sampleDurations(() => subject.runBatch!(settings.batchSize), fast)));
      return;
    case 'concurrent': {
      const run = async () => {
        const sizes = await subject.runConcurrent!(settings.concurrentRequests);
        if (sizes) collected.batchSizes = sizes;
      };
      for (let round = 0; round < fast.warmup; round += 1) await run();
      // Each sample's longest delay is read after it, outside the timed span.
      const recorder = await EventLoopDelayRecorder.start();
      try {
        const readDelay = async () => collected.eventLoopMaxDelays.push(await recorder.takeMaxMs());
        collected.concurrent.push(...(await sampleDurations(run, { ...fast, warmup: 0 }, readDelay)));
      } finally {
        recorder.stop();
      }
      return;
    }
    case 'generation':
      collected.generation.push(
        ...(await sampleDurations(async () => collected.generatedTokens.push(await subject.generate!(settings.newTokens)), slow)),
      );
      collected.firstToken.push(...(await sampleDurations(() => subject.generate!(1), slow)));
      return;
    case 'speech':
      collected.speech.push(...(await sampleDurations(() => subject.runSingle!(0), slow)));
      return;
  }
}

function summarizeSubject(loaded: Loaded, plan: MeasurePlan): SubjectResult {
  const { subject, collected } = loaded;
  const { settings } = plan;
  const measurements: { -readonly [K in keyof SubjectMeasurements]: SubjectMeasurements[K] } = { loadMs: loaded.loadMs };
  if (collected.latency.length > 0) measurements.latency = { milliseconds: summarize(collected.latency) };
  if (collected.batch.length > 0) {
    const milliseconds = summarize(collected.batch);
    measurements.batch = { batchSize: settings.batchSize, milliseconds, itemsPerSecond: (settings.batchSize * 1000) / milliseconds.median };
  }
  if (collected.concurrent.length > 0) {
    const milliseconds = summarize(collected.concurrent);
    measurements.concurrent = {
      requests: settings.concurrentRequests,
      milliseconds,
      itemsPerSecond: (settings.concurrentRequests * 1000) / milliseconds.median,
      eventLoopMaxDelayMs: Math.max(...collected.eventLoopMaxDelays),
      eventLoopMaxDelayMedianMs: summarize(collected.eventLoopMaxDelays).median,
      ...(collected.batchSizes ? { batchSizes: collected.batchSizes } : {}),
    };
  }
  if (collected.generation.length > 0 && collected.firstToken.length > 0) {
    const milliseconds = summarize(collected.generation);
    const newTokens = summarize(collected.generatedTokens).median;
    measurements.generation = {
      newTokens,
      milliseconds,
      tokensPerSecond: (newTokens * 1000) / milliseconds.median,
      firstTokenMilliseconds: summarize(collected.firstToken),
    };
  }
  if (collected.speech.length > 0 && plan.audioSeconds !== undefined) {
    const milliseconds = summarize(collected.speech);
    measurements.speech = {
      audioSeconds: plan.audioSeconds,
      newTokens: settings.newTokens,
      milliseconds,
      realtimeFactor: milliseconds.median / 1000 / plan.audioSeconds,
    };
  }
  return {
    role: subject.role,
    label: subject.label,
    runtime: subject.runtime,
    status: loaded.failure ? 'failed' : 'measured',
    ...(loaded.failure ? { reason: loaded.failure } : {}),
    measurements,
    notes: subject.notes,
  };
}

/**
 * Measures accel and its peers on one model and backend. Subjects load one after another (load
 * time; memory is measured apart, each subject in a process of its own: `memory/memory-probe.ts`), the process settles, then the measures alternate between them
 * for `settings.rounds` rounds, each round starting with the next subject, so that drift of the
 * machine's speed and one subject's after-effects hit every subject alike.
 */
export async function measureSubjects(subjects: ReadonlyArray<BenchSubject | SkippedSubject>, plan: MeasurePlan): Promise<SubjectResult[]> {
  const results = new Map<BenchSubject | SkippedSubject, SubjectResult | Loaded>();
  for (const subject of subjects) {
    if ('skipped' in subject) {
      results.set(subject, { role: subject.role, label: subject.label, runtime: '-', status: 'skipped', reason: subject.skipped, measurements: {}, notes: [] });
      continue;
    }
    plan.log(`  loading ${subject.label}`);
    results.set(subject, await load(subject, plan));
  }
  const active = [...results.values()].filter((entry): entry is Loaded => 'collected' in entry);
  if (plan.settings.settleMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.settings.settleMs));
  for (let round = 0; round < plan.settings.rounds; round += 1) {
    // Each round starts with a different subject, so no subject always follows the same one.
    const order = active.map((_, index) => active[(index + round) % active.length]!);
    for (const measure of plan.measures) {
      for (const loaded of order) {
        if (loaded.failure || !supports(loaded.subject, measure)) continue;
        plan.log(`  round ${round + 1}/${plan.settings.rounds}: ${measure} · ${loaded.subject.label}`);
        try {
          await collect(loaded, measure, plan, round);
        } catch (error) {
          loaded.failure = `${measure}: ${describeError(error)}`;
        }
      }
    }
  }
  for (const loaded of active) await loaded.subject.dispose().catch(() => undefined);
  return [...results.values()].map((entry) => ('collected' in entry ? summarizeSubject(entry, plan) : entry));
}
