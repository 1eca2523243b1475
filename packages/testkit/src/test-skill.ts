import { join, resolve } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { createCudaBackend } from '@accel/backend-cuda';
import { createOpenVinoBackend } from '@accel/backend-openvino';
import { createWasmBackend } from '@accel/backend-wasm';
import type { BackendV1, Dtype, SkillInput, SkillOptions, SkillOutput, SkillV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { testSkillConformance, type ConformanceOptions, type InvalidInputCase } from './conformance.js';
import { findWorkspaceRoot } from './workspace-report-directory.js';

/** The backend packages every skill is tested on, by their backend names. */
export type ConformanceBackendName = 'cpu' | 'cuda' | 'openvino' | 'wasm';

export interface ConformanceBackend {
  readonly name: ConformanceBackendName;
  /** A fresh backend, as the conformance suite creates one per registry. */
  readonly create: () => BackendV1;
}

/**
 * Every backend package, in the matrix's column order: cpu (also the reference every other
 * backend is compared with), cuda, openvino, wasm. cpu and wasm run with one intra-op thread, so
 * results and timings do not depend on the machine's core count. A backend that cannot run here
 * still gets its cell: skipped, with its probe's reason.
 */
export const conformanceBackends: readonly ConformanceBackend[] = [
  { name: 'cpu', create: () => createCpuBackend({ threads: 1 }) },
  { name: 'cuda', create: () => createCudaBackend() },
  { name: 'openvino', create: () => createOpenVinoBackend() },
  { name: 'wasm', create: () => createWasmBackend({ threads: 1 }) },
];

/** The backend every other backend's outputs are compared with. */
export const referenceBackend: ConformanceBackend = conformanceBackends[0]!;

/** The memory check's counts and bounds (see `ConformanceOptions.memory`). */
export type MemoryCheckOptions = NonNullable<ConformanceOptions<SkillV1>['memory']>;

/** A skill's conformance data: what `testSkill` runs on every backend. */
export interface SkillCases<S extends SkillV1> {
  /** The model-forge preset to load (default: the skill's `defaultModel`), forged into `<workspace>/.cache/models/tiny`. */
  readonly forge?: string;
  /** At least two distinct valid inputs; they are run alone and then together as one batch. */
  readonly inputs: readonly SkillInput<S>[];
  /** Inputs that must be refused with `InvalidInputError`. */
  readonly invalidInputs: readonly InvalidInputCase[];
  /** Asserts the output's types and shapes for one input (with `skill.schemas`, the kit also validates every output against `schemas.output`). */
  readonly expectOutput: (output: SkillOutput<S>, input: SkillInput<S>) => void;
  /** Options passed with every request. */
  readonly options?: SkillOptions<S>;
  readonly dtype?: Dtype;
  /** Largest difference allowed between batched and single results. Default 1e-4. */
  readonly tolerance?: number;
  /** Largest difference allowed against the reference backend (cpu). Default 1e-4. */
  readonly parityTolerance?: number;
  /**
   * The memory check's counts and bounds, for every backend or per backend. Counts below
   * `sensitiveMemoryCounts` need a `reason`, which the matrix cell shows.
   */
  readonly memory?: MemoryCheckOptions | ((backend: ConformanceBackendName) => MemoryCheckOptions | undefined);
  /** Where these cells are recorded. Default: the workspace matrix (`defaultReportDirectory()`). */
  readonly reportDirectory?: string;
}

/** Where fixture models are forged: `.cache/models/tiny` in the workspace root (else the working directory). */
export function fixtureModelRoot(): string {
  return join(findWorkspaceRoot() ?? resolve('.'), '.cache', 'models', 'tiny');
}

/**
 * The conformance suite of one skill, in one call: for each set of cases (usually one), forges the
 * fixture model and runs `testSkillConformance` on every backend package of `conformanceBackends`,
 * each compared with cpu. Await it at the top of a test file:
 *
 * ```ts
 * await testSkill(bertSkill, cases);
 * ```
 */
export async function testSkill<S extends SkillV1>(skill: S, cases: SkillCases<S> | readonly SkillCases<S>[]): Promise<void> {
  const sets: readonly SkillCases<S>[] = Array.isArray(cases) ? cases : [cases as SkillCases<S>];
  const root = fixtureModelRoot();
  for (const set of sets) {
    const preset = set.forge ?? skill.defaultModel;
    const { memory, forge: _forge, ...shared } = set;
    for (const backend of conformanceBackends) {
      const memoryForBackend = typeof memory === 'function' ? memory(backend.name) : memory;
      await testSkillConformance({
        ...shared,
        skill,
        backend: backend.create,
        reference: referenceBackend.create,
        model: async () => (await forgeModel(preset, { root })).directory,
        ...(memoryForBackend === undefined ? {} : { memory: memoryForBackend }),
      });
    }
  }
}
