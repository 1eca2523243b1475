import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Accel, skillSource, type BackendV1, type Provenance, type SkillV1 } from '@accel/core';
import { findDifference } from './deep-compare.js';
import { toJsonValue } from './json-value.js';
import type { ChildRequest, ResolutionCheck } from './skill-without-onnxruntime-node-child.js';

/** One request: input and options must survive JSON (media as file paths). */
export interface WithoutOnnxruntimeNodeCase {
  readonly input: unknown;
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface WithoutOnnxruntimeNodeOptions {
  /** The skill under test; it must name its `exportName`, so the child process can import it. */
  readonly skill: SkillV1;
  /** The backend that runs in the child, e.g. `() => createWasmBackend({ threads: 1 })`; it must name its `source`. */
  readonly backend: () => BackendV1;
  /** The reference, run in this (normal) process, e.g. `() => createCpuBackend({ threads: 1 })`. */
  readonly reference: () => BackendV1;
  /** Returns the model folder, e.g. one written by the model forge. */
  readonly model: () => string | Promise<string>;
  /** The requests, in both processes; `example` is the skill's own `example` (default: just that). */
  readonly cases?: ReadonlyArray<WithoutOnnxruntimeNodeCase | 'example'>;
  /** Largest difference allowed between numbers of the two outputs (default 1e-4); everything else must be equal. */
  readonly tolerance?: number;
  /** Per-test timeout (default 120 s). */
  readonly timeoutMs?: number;
}

interface ChildResult {
  readonly resolution: { readonly thread: ResolutionCheck; readonly worker: ResolutionCheck };
  readonly results: ReadonlyArray<{ readonly output: unknown; readonly provenance: Provenance }>;
}

/**
 * The path of the preload (`node --import <path>`) that makes onnxruntime-node unresolvable, by
 * `import` and `require`, in a process and its worker threads.
 */
export const withoutOnnxruntimeNodePreload = fileURLToPath(new URL('./without-onnxruntime-node.js', import.meta.url));
const childScript = fileURLToPath(new URL('./skill-without-onnxruntime-node-child.js', import.meta.url));

function runChild(request: ChildRequest): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', withoutOnnxruntimeNodePreload, childScript, JSON.stringify(request)], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`the child process failed (${error.message.split('\n')[0]}):\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as ChildResult);
      } catch (parseError) {
        reject(new Error(`the child process wrote no JSON result (${String(parseError)}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

async function referenceOutputs(skill: SkillV1, backend: BackendV1, model: string, cases: ChildRequest['cases']): Promise<unknown[]> {
  const accel = new Accel({ backends: [backend] });
  try {
    accel.addEndpoint({ skill, model, backend: backend.name });
    const outputs: unknown[] = [];
    for (const request of cases) {
      const { input, options } = request === 'example' ? skill.example : request;
      outputs.push(toJsonValue((await accel.infer(skill, input as never, options as never)).output));
    }
    return outputs;
  } finally {
    await accel.dispose();
  }
}

/**
 * Registers a test that serves a skill, in a child process where onnxruntime-node cannot be
 * resolved at all (neither `require` nor `import`, in the process or its worker threads), on the
 * given backend (wasm), and compares each case's output with the reference backend's (cpu) from this
 * normal process: numbers within the tolerance, text, token ids and labels exactly.
 */
export function testSkillWithoutOnnxruntimeNode(options: WithoutOnnxruntimeNodeOptions): void {
  const { skill, cases = ['example'], tolerance = 1e-4, timeoutMs = 120_000 } = options;
  describe(`${skill.name} where onnxruntime-node cannot be resolved`, () => {
    it(`loads and serves on ${options.backend().name} with the outputs of ${options.reference().name} in a normal process`, async () => {
      const backend = options.backend();
      const skillModule = skillSource(skill);
      if (skillModule === undefined) throw new Error(`skill ${skill.name} names no exportName for the child process to import`);
      if (backend.source === undefined) throw new Error(`backend ${backend.name} names no source for the child process to import`);
      const model = await options.model();
      const [child, expected] = await Promise.all([
        runChild({ skill: skillModule, backend: backend.source, model, cases }),
        referenceOutputs(skill, options.reference(), model, cases),
      ]);

      for (const check of [child.resolution.thread, child.resolution.worker]) {
        expect(check.require).not.toBe('resolved');
        expect(check.import).not.toBe('resolved');
      }
      expect(child.results).toHaveLength(cases.length);
      child.results.forEach(({ output, provenance }, index) => {
        expect(provenance.backend).toBe(backend.name);
        expect(provenance.runtime).not.toMatch(/onnxruntime-node/);
        expect(findDifference(output, expected[index], tolerance, `case ${index}`)).toBeUndefined();
      });
    }, timeoutMs);
  });
}
