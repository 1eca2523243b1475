import { afterAll, describe, expect, it } from 'vitest';
import {
  Accel,
  EndpointNotFoundError,
  InvalidInputError,
  type BackendProbe,
  type BackendV1,
  type Dtype,
  type InferCallOptions,
  type InferResult,
  type SkillInput,
  type SkillOptions,
  type SkillOutput,
  type SkillV1,
} from '@accel/core';
import { findDifference, largestDifference } from './deep-compare.js';
import { type CaseRecord, type MatrixCell, recordMatrixCell } from './matrix-report.js';
import { defaultMaxBytesPerCycle, defaultMaxBytesPerRequest, formatMemorySize, measureMemoryGrowth, memoryProblems } from './memory-check.js';
import { defaultReportDirectory } from './workspace-report-directory.js';

/** A bad input and the reason it must be refused. */
export interface InvalidInputCase {
  readonly name: string;
  readonly input: unknown;
  readonly options?: unknown;
}

export interface ConformanceOptions<S extends SkillV1> {
  readonly skill: S;
  /** Creates the backend under test, e.g. `() => createCpuBackend()`. */
  readonly backend: () => BackendV1 | Promise<BackendV1>;
  /** Returns the model folder (or hub id) to load, e.g. one written by the model forge. */
  readonly model: () => string | Promise<string>;
  /** At least two distinct valid inputs; they are run alone and then together as one batch. */
  readonly inputs: readonly SkillInput<S>[];
  /** Inputs that must be refused with `InvalidInputError`. */
  readonly invalidInputs: readonly InvalidInputCase[];
  /** Asserts the output's types and shapes for one input. */
  readonly expectOutput: (output: SkillOutput<S>, input: SkillInput<S>) => void;
  readonly options?: SkillOptions<S>;
  readonly dtype?: Dtype;
  /** Largest difference allowed between batched and single results. Default 1e-4. */
  readonly tolerance?: number;
  /**
   * The memory check (see `measureMemoryGrowth`): after a warm-up, `cycles` add → init → infer →
   * remove cycles with RSS read at 8 checkpoints, then `requests` requests (64 at a time, cycling
   * through `inputs`) on one inline endpoint with `heapUsed + external` read at 8 checkpoints; the
   * fitted growth must stay within `maxBytesPerCycle` (default 1 MiB) and `maxBytesPerRequest`
   * (default 1 KiB), in a second window of the same length when the first exceeds it (a climbing
   * high-water mark levels, a leak does not). Garbage collection on demand is required (`--expose-gc`, as in this repo's
   * `vitest.shared.ts`). Defaults: 30 cycles and 1,000 requests, the least that resolve those bounds
   * (`sensitiveMemoryCounts`); the warm-up before the cycles runs until RSS levels (see
   * `measureMemoryGrowth`). A skill that cannot afford them in CI time may ask for fewer, giving
   * `reason`; the matrix cell then says `passed (reduced: …)` — never silently.
   */
  readonly memory?: {
    readonly cycles?: number;
    readonly requests?: number;
    readonly maxBytesPerCycle?: number;
    readonly maxBytesPerRequest?: number;
    /** Why fewer cycles or requests than `sensitiveMemoryCounts` are run. */
    readonly reason?: string;
  };
  /**
   * The backend other backends are compared with (cpu), on the same inputs and model. The case is
   * registered as skipped, with its reason, when this is the backend under test or the reference is
   * unavailable (and the matrix records it as skipped, not passed).
   */
  readonly reference?: () => BackendV1 | Promise<BackendV1>;
  /** Largest difference allowed against the reference for numbers; text and token ids must be identical. Default 1e-4. */
  readonly parityTolerance?: number;
  /** Where `matrix.json` and `matrix.md` go. Default: `defaultReportDirectory()` (`.cache/reports/`, ignored by git). */
  readonly reportDirectory?: string;
  /**
   * How deep the memory check goes (see `memoryCheckDepth`): `full` runs `memory`'s counts on every
   * backend; `quick` runs `quickMemoryCheck` on the reference backend only (or on the backend under
   * test when there is no reference) and records on the others' cells that `npm run matrix` measures
   * them. Default: `memoryCheckDepth()`, from `$ACCEL_MEMORY_CHECK`.
   */
  readonly memoryCheck?: MemoryCheckDepth;
}

/** `full`: every backend, the sensitive counts; `quick`: one short check per skill (see `quickMemoryCheck`). */
export type MemoryCheckDepth = 'full' | 'quick';

/**
 * `full` when `$ACCEL_MEMORY_CHECK` is `full` (`npm run matrix` sets it, so the committed matrix
 * carries the full counts on every backend), else `quick`: `npm test` on a 2-core CI machine spent
 * most of its time in the memory cases (whisper's two took 188 of its package's 240 s).
 */
export function memoryCheckDepth(): MemoryCheckDepth {
  return process.env.ACCEL_MEMORY_CHECK === 'full' ? 'full' : 'quick';
}

/**
 * The quick memory check `npm test` runs once per skill (on the reference backend, cpu): fewer
 * cycles and requests, a shorter warm-up, and bounds those counts resolve without flaking on RSS's
 * jitter (a few MiB between checkpoints; `heapUsed + external` a few hundred KiB). It still fails
 * on the leaks that matter most: a cycle that keeps its session or worker thread (tens of MiB of
 * RSS), a request that keeps its input or output tensors (audio, images: tens of KiB and up). The
 * 1 MiB per cycle and 1 KiB per request resolution is `npm run matrix`'s (`full`).
 */
export const quickMemoryCheck = {
  cycles: 10,
  requests: 256,
  maxBytesPerCycle: 4 * 1024 * 1024,
  maxBytesPerRequest: 4 * 1024,
  warmUpCycles: 3,
  maxWarmUpCycles: 24,
  warmUpRequests: 32,
  reason: "npm test's quick check (npm run matrix runs the full counts on every backend)",
} as const;

type CallOptions<S extends SkillV1> = SkillOptions<S> & InferCallOptions;

/**
 * The memory case warms up until RSS levels and then runs every cycle and request: more than a
 * usual test's timeout. The timeout only catches a hang, it is not a speed goal, so it is generous:
 * the slowest memory checks (whisper on wasm) ran past the former 5 minutes on a busy 2-core machine.
 */
const memoryCaseTimeout = 600_000;

/**
 * The fewest cycles and requests that resolve the memory check's default bounds. RSS after a
 * collection moves by a few MiB between checkpoints once warm, so over 30 cycles the fitted slope
 * is good to a fraction of 1 MiB per cycle; `heapUsed + external` moves by up to a few hundred KiB,
 * so over 1,000 requests the slope is good to a fraction of 1 KiB per request. (The bert cells of
 * `reports/matrix.json` carry the readings: `memory.cycleRssBytes`, `memory.requestHeapBytes`.)
 * Fewer are reported as reduced.
 */
export const sensitiveMemoryCounts = { cycles: 30, requests: 1_000 } as const;

/** What a reduced memory check left out, e.g. `20 cycles, 256 requests`; undefined when not reduced. */
export function reducedMemoryCounts(cycles: number, requests: number): string | undefined {
  const parts = [
    ...(cycles < sensitiveMemoryCounts.cycles ? [`${cycles} cycles`] : []),
    ...(requests < sensitiveMemoryCounts.requests ? [`${requests} requests`] : []),
  ];
  return parts.length === 0 ? undefined : parts.join(', ');
}

function summarize(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) {
      const values = Array.from(item as unknown as ArrayLike<number>);
      return `${item.constructor.name}(${values.length}) [${values.slice(0, 4).map((number) => Number(number).toFixed(4)).join(', ')}${values.length > 4 ? ', …' : ''}]`;
    }
    return item;
  });
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** With `skill.schemas`, asserts that an output validates against `schemas.output` (the schema's issues in the message). */
async function expectOutputMatchesSchema(skill: SkillV1, output: unknown, what: string): Promise<void> {
  const schema = skill.schemas?.output;
  if (schema === undefined) return;
  const result = await schema['~standard'].validate(output);
  if (result.issues === undefined) return;
  const described = result.issues.slice(0, 3).map((issue) => {
    const where = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  const more = result.issues.length > 3 ? ` (and ${result.issues.length - 3} more)` : '';
  expect.fail(`${what} does not validate against ${skill.name}'s schemas.output: ${described.join('; ')}${more}`);
}

/**
 * Registers the conformance suite of one skill on one backend package with vitest. Await it at
 * the top of a test file. An unavailable backend registers one skipped case that carries the
 * probe's reason, and the matrix report records the cell as skipped: never as passed. When the
 * skill has `schemas`, every output of the lifecycle and bad-input cases must validate against
 * `schemas.output`. `testSkill` runs this on every backend package at once.
 */
export async function testSkillConformance<S extends SkillV1>(options: ConformanceOptions<S>): Promise<void> {
  const { skill, inputs, invalidInputs, expectOutput } = options;
  const tolerance = options.tolerance ?? 1e-4;
  const reportDirectory = options.reportDirectory ?? defaultReportDirectory();
  if (inputs.length < 2) throw new Error('testSkillConformance needs at least two inputs');

  let backend: BackendV1 | undefined;
  let probe: BackendProbe;
  try {
    backend = await options.backend();
    probe = await backend.probe();
  } catch (error) {
    probe = { backend: backend?.name ?? 'unknown', available: false, reason: `the backend could not be created: ${String(error)}`, devices: [], dtypes: [] };
  }
  const backendName = backend?.name ?? probe.backend;
  const reference = options.reference === undefined ? undefined : await options.reference();
  const isReference = reference !== undefined && reference.name === backendName;
  const configuredCycles = options.memory?.cycles ?? sensitiveMemoryCounts.cycles;
  const configuredRequests = options.memory?.requests ?? sensitiveMemoryCounts.requests;
  const configuredReduced = reducedMemoryCounts(configuredCycles, configuredRequests);
  if (configuredReduced !== undefined && !options.memory?.reason) {
    throw new Error(`testSkillConformance: memory counts below the sensitive ones (${configuredReduced}) need memory.reason, which the matrix shows`);
  }
  const depth = options.memoryCheck ?? memoryCheckDepth();
  const quick = depth === 'quick';
  // Quick: one check per skill, on the reference backend (or on this one when nothing is compared,
  // or when the reference cannot run here and so measures nothing).
  const referenceRuns = async () => (await reference!.probe().catch(() => ({ available: false }))).available;
  const measuresMemory = !quick || reference === undefined || isReference || !(await referenceRuns());
  const cycles = quick ? Math.min(configuredCycles, quickMemoryCheck.cycles) : configuredCycles;
  const requestCount = quick ? Math.min(configuredRequests, quickMemoryCheck.requests) : configuredRequests;
  const reduced = reducedMemoryCounts(cycles, requestCount);
  const reducedReason = quick ? quickMemoryCheck.reason : options.memory?.reason;
  const cases: CaseRecord[] = [];
  const cell: { example?: MatrixCell['example']; memory?: MatrixCell['memory']; memoryNotMeasured?: string; parity?: MatrixCell['parity'] } = measuresMemory
    ? {}
    : { memoryNotMeasured: `npm test measures memory on ${reference?.name ?? 'the reference backend'} only; npm run matrix (ACCEL_MEMORY_CHECK=full) measures it on every backend` };
  const parityTolerance = options.parityTolerance ?? 1e-4;
  let singleOutputs: SkillOutput<S>[] = [];
  const record = async (status: MatrixCell['status'], reason?: string) =>
    recordMatrixCell(reportDirectory, {
      skill: skill.name,
      backend: backendName,
      backendPackage: backend?.packageName ?? 'unknown',
      status,
      ...(reason === undefined ? {} : { reason }),
      cases,
      ...cell,
      recordedAt: new Date().toISOString(),
    });

  if (!probe.available || backend === undefined) {
    const reason = probe.reason ?? 'unavailable';
    await record('skipped', reason);
    describe(`${skill.name} conformance on ${backendName}`, () => {
      it.skip(`skipped: ${reason}`, () => undefined);
    });
    return;
  }

  describe(`${skill.name} conformance on ${backendName}`, () => {
    const activeBackend = backend;
    let model = '';
    const dtype = options.dtype ?? 'fp32';
    const newRegistry = () => new Accel({ backends: [activeBackend], skills: [skill] });
    const addTo = (accel: Accel, id?: string) =>
      accel.addEndpoint({ skill, model, backend: activeBackend.name, dtype, ...(id === undefined ? {} : { id }) });
    const infer = (accel: Accel, input: SkillInput<S>) =>
      accel.infer(skill, input, options.options as CallOptions<S>) as Promise<InferResult<SkillOutput<S>>>;

    const conformanceCase = (name: string, body: (skip: (reason: string) => never) => Promise<void>, timeout?: number) =>
      it(name, async (context) => {
        let skippedBecause: string | undefined;
        const skip = (reason: string): never => {
          skippedBecause = reason;
          cases.push({ name, status: 'skipped', reason });
          return context.skip(reason) as never;
        };
        try {
          if (model === '') model = await options.model();
          await body(skip);
          cases.push({ name, status: 'passed' });
        } catch (error) {
          if (skippedBecause === undefined) cases.push({ name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
          throw error;
        }
      }, timeout);
    const skippedCase = (name: string, reason: string) => {
      cases.push({ name, status: 'skipped', reason });
      it.skip(`${name} (skipped: ${reason})`, () => undefined);
    };

    conformanceCase('add → init → infer (batch of 1 and of several) → remove', async () => {
      const accel = newRegistry();
      const id = addTo(accel);
      const [status] = await accel.init(id);
      expect(status?.state).toBe('ready');

      const singles: InferResult<SkillOutput<S>>[] = [];
      for (const input of inputs) {
        const result = await infer(accel, input);
        expectOutput(result.output, input);
        await expectOutputMatchesSchema(skill, result.output, `the output for input ${singles.length}`);
        singles.push(result);
      }
      const largestBatch = (results: InferResult<unknown>[]) => Math.max(...results.flatMap((result) => result.provenance.batchSizes));
      const batched = await Promise.all(inputs.map((input) => infer(accel, input)));
      expect(largestBatch(batched), 'concurrent requests were not batched together').toBeGreaterThan(largestBatch(singles));
      for (const [index, result] of batched.entries()) {
        expectOutput(result.output, inputs[index]!);
        await expectOutputMatchesSchema(skill, result.output, `the batched output for input ${index}`);
        const difference = findDifference(result.output, singles[index]!.output, tolerance);
        expect(difference, `batched result differs from single result for input ${index}`).toBeUndefined();
      }

      singleOutputs = singles.map((result) => result.output);
      const provenance = singles[0]!.provenance;
      expect(provenance.backend).toBe(activeBackend.name);
      expect(provenance.endpoint).toBe(id);
      expect(provenance.dtype).toBe(dtype);
      // A skill may open a session only when a request needs it (CLIP's towers), so files are checked after requests ran.
      expect(provenance.model.files.some((file) => file.endsWith('.onnx'))).toBe(true);
      expect(accel.status().find((entry) => entry.id === id)?.modelFiles.some((file) => file.endsWith('.onnx'))).toBe(true);
      expect(provenance.timings.totalMs).toBeGreaterThan(0);
      cell.example = { input: summarize(inputs[0]), output: summarize(singles[0]!.output), provenance };

      await accel.removeEndpoint(id);
      expect(accel.status()).toEqual([]);
      await expect(accel.infer(skill, inputs[0]!, { endpoint: id } as CallOptions<S>)).rejects.toSatisfy(EndpointNotFoundError.isInstance);
    });

    conformanceCase('bad inputs give InvalidInputError and leave the endpoint serving', async () => {
      const accel = newRegistry();
      addTo(accel);
      await accel.init();
      for (const invalid of invalidInputs) {
        const outcome = await accel.infer(skill, invalid.input as SkillInput<S>, invalid.options as CallOptions<S>).then(
          () => new Error(`${invalid.name}: accepted`),
          (error: unknown) => error,
        );
        expect(InvalidInputError.isInstance(outcome), `${invalid.name}: expected InvalidInputError, got ${String(outcome)}`).toBe(true);
      }
      const after = await infer(accel, inputs[0]!);
      expectOutput(after.output, inputs[0]!);
      await expectOutputMatchesSchema(skill, after.output, 'the output after the bad inputs');
      await accel.dispose();
    });

    const configuredPerCycle = options.memory?.maxBytesPerCycle ?? defaultMaxBytesPerCycle;
    const configuredPerRequest = options.memory?.maxBytesPerRequest ?? defaultMaxBytesPerRequest;
    const perCycleBound = quick ? Math.max(configuredPerCycle, quickMemoryCheck.maxBytesPerCycle) : configuredPerCycle;
    const perRequestBound = quick ? Math.max(configuredPerRequest, quickMemoryCheck.maxBytesPerRequest) : configuredPerRequest;
    const memoryName =
      `memory: RSS grows ≤ ${formatMemorySize(perCycleBound)} per add/remove cycle over ${cycles} cycles, ` +
      `heap ≤ ${formatMemorySize(perRequestBound)} per request over ${requestCount} requests` +
      (reduced === undefined ? '' : ` (reduced: ${reducedReason})`);
    if (measuresMemory) conformanceCase(memoryName, async () => {
      const measurement = await measureMemoryGrowth(
        {
          cycle: async (index) => {
            const accel = newRegistry();
            const id = addTo(accel, `cycle-${index}`);
            await infer(accel, inputs[index % inputs.length]!);
            await accel.removeEndpoint(id);
          },
          openEndpoint: async () => {
            const accel = newRegistry();
            accel.addEndpoint({ skill, model, backend: activeBackend.name, dtype, deduplicate: false, isolation: 'inline' });
            await accel.init();
            return { request: (index) => infer(accel, inputs[index % inputs.length]!), close: () => accel.dispose() };
          },
        },
        {
          cycles,
          requests: requestCount,
          maxBytesPerCycle: perCycleBound,
          maxBytesPerRequest: perRequestBound,
          ...(quick
            ? { warmUpCycles: quickMemoryCheck.warmUpCycles, maxWarmUpCycles: quickMemoryCheck.maxWarmUpCycles, warmUpRequests: quickMemoryCheck.warmUpRequests }
            : {}),
        },
      );
      cell.memory = {
        warmUpCycles: measurement.warmUpCycles,
        cycles: measurement.cycles,
        growthBytes: measurement.growthBytes,
        perCycleBytes: Math.round(measurement.perCycleBytes),
        ...(measurement.perCycleWindows.length > 1 ? { perCycleWindows: measurement.perCycleWindows.map(Math.round) } : {}),
        perCycleBoundBytes: measurement.perCycleBoundBytes,
        requests: measurement.requests,
        requestGrowthBytes: measurement.requestGrowthBytes,
        perRequestBytes: Math.round(measurement.perRequestBytes),
        ...(measurement.perRequestWindows.length > 1 ? { perRequestWindows: measurement.perRequestWindows.map(Math.round) } : {}),
        perRequestBoundBytes: measurement.perRequestBoundBytes,
        requestRssGrowthBytes: measurement.requestRssGrowthBytes,
        cycleRssBytes: measurement.cycleRssBytes,
        requestHeapBytes: measurement.requestHeapBytes,
        ...(reduced === undefined ? {} : { reduced: { counts: reduced, reason: reducedReason! } }),
      };
      const problems = memoryProblems(measurement);
      expect(problems, problems.join('; ')).toEqual([]);
    }, memoryCaseTimeout);

    let expectedCases = measuresMemory ? 3 : 2;
    if (options.reference !== undefined) {
      expectedCases += 1;
      const createReference = options.reference;
      const parityName = 'matches the reference backend on the same inputs and model';
      if (isReference) {
        const reason = 'this is the reference backend';
        cell.parity = { reference: backendName, status: 'skipped', tolerance: parityTolerance, reason };
        skippedCase(parityName, reason);
      } else conformanceCase(parityName, async (skip) => {
        const reference = await createReference();
        const probe = await reference.probe();
        if (!probe.available) {
          const reason = `the reference backend ${reference.name} is unavailable: ${probe.reason ?? 'no reason given'}`;
          cell.parity = { reference: reference.name, status: 'skipped', tolerance: parityTolerance, reason };
          skip(reason);
        }
        expect(singleOutputs, 'the lifecycle case must run first').toHaveLength(inputs.length);
        const accel = new Accel({ backends: [reference], skills: [skill] });
        accel.addEndpoint({ skill, model, backend: reference.name, dtype });
        try {
          let largest = 0;
          for (const [index, input] of inputs.entries()) {
            const expected = (await accel.infer(skill, input, options.options as CallOptions<S>)).output;
            const difference = findDifference(singleOutputs[index], expected, parityTolerance);
            largest = Math.max(largest, largestDifference(singleOutputs[index], expected));
            if (difference !== undefined) {
              cell.parity = { reference: reference.name, status: 'failed', tolerance: parityTolerance, largestDifference: largest, reason: difference };
              expect(difference, `differs from ${reference.name} for input ${index}`).toBeUndefined();
            }
          }
          cell.parity = { reference: reference.name, status: 'passed', tolerance: parityTolerance, largestDifference: largest };
        } finally {
          await accel.dispose();
        }
      });
    }

    afterAll(async () => {
      const failed = cases.filter((entry) => entry.status === 'failed');
      const complete = cases.length === expectedCases;
      if (failed.length > 0) await record('failed', failed.map((entry) => `${entry.name}: ${entry.error}`).join('; '));
      else if (!complete) await record('failed', 'not every conformance case ran (filtered or interrupted run)');
      else await record('passed');
    });
  });
}
