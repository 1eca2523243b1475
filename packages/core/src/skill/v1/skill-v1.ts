import type { Dtype } from '../../backend/v1/dtype.js';
import type { ModuleExport } from '../../worker/module-export.js';
import type { LoadedSkillV1 } from './loaded-skill-v1.js';
import type { SkillCapabilitiesV1 } from './skill-capabilities.js';
import type { SkillCliV1 } from './skill-cli.js';
import type { SkillLoadContext } from './skill-load-context.js';
import type { SkillSchemasV1 } from './skill-schema.js';

/** Batching limits a skill declares as data; the scheduler and conformance kit read them. */
export interface SkillLimits {
  /** Most items one `run` call may receive. */
  readonly maxBatchSize: number;
}

/** What `doPrepare` returns: the request split into independently batchable items. */
export interface PreparedRequest<Item> {
  readonly task: string;
  readonly items: readonly Item[];
}

/** A required file, or alternatives of which the folder must hold one (first preferred). */
export type RequiredFile = string | readonly string[];

/**
 * A model family: what it takes, what it returns, and how to load it on a backend.
 *
 * A request flows `doPrepare` (validate and split, before any queueing) → the scheduler batches
 * items across requests → `LoadedSkillV1.run` → `doAssemble` (one output per request).
 */
export interface SkillV1<Input = unknown, Output = unknown, Options = unknown, Item = unknown, Value = unknown> {
  readonly specificationVersion: 'v1';
  /** Short name used on the command line and in `infer`, e.g. `bert`. */
  readonly name: string;
  /** The npm package that exports this skill; written once, here (the testkit checks it against package.json). */
  readonly packageName: string;
  /**
   * The name `packageName` exports this skill under; with it, a worker thread can import the skill
   * (`import(packageName)[exportName]`), without it the skill runs on the calling thread.
   */
  readonly exportName?: string;
  readonly description: string;
  /**
   * Schemas of input, options and output. `infer` validates every request's input and options with
   * them before `doPrepare`, so a bad request gets `InvalidInputError` from one place; the CLI, the
   * server and the docs are built from them.
   */
  readonly schemas?: SkillSchemasV1<Input, Options, Output>;
  /** How `accel run <skill>` reads a command line and prints a result. */
  readonly cli?: SkillCliV1<Input, Options, Output>;
  /**
   * The standard requests the skill serves (embed, classify, transcribe, generate) and how each
   * maps onto its input and output: the server's OpenAI routes find their skills here.
   */
  readonly capabilities?: SkillCapabilitiesV1<Input, Output, Options>;
  /** True when `run` reports text as it is generated, so `stream()` yields pieces as they come. */
  readonly streams?: boolean;
  /** Tasks served; the first is the default. */
  readonly tasks: readonly [string, ...string[]];
  /** Hub id used when an endpoint names no model. */
  readonly defaultModel: string;
  readonly limits: SkillLimits;
  /** A small valid request, used by smoke tests (`accel doctor --smoke`) and documentation. */
  readonly example: { readonly input: Input; readonly options?: Options };
  /** dtypes the skill's pre/post-processing can work with. */
  readonly dtypes: readonly Dtype[];
  /**
   * Files a model folder must hold for this dtype (used to check folders and to download). An
   * entry that is a list means "one of these", first preferred: exports name the same graph
   * differently (`onnx/model.onnx` in newer transformers.js exports, `onnx/decoder_model_merged.onnx`
   * in older ones), and `createSession([...names])` opens whichever the folder has.
   */
  requiredFiles(dtype: Dtype): readonly RequiredFile[];
  /**
   * The `model_type` values of config.json this skill serves, e.g. `['whisper']`. A model folder
   * whose config.json names another is refused with `InvalidModelError` naming what it holds,
   * before any file check or load. Omitted: any model_type is tried.
   */
  readonly modelTypes?: readonly string[];
  /**
   * Splits one request into items, after `schemas` validated it (input and options arrive parsed).
   * Checks no schema can express (a file that does not decode) throw `InvalidInputError`; never
   * touches the model.
   */
  doPrepare(input: Input, options: Options | undefined): PreparedRequest<Item>;
  doLoad(context: SkillLoadContext): Promise<LoadedSkillV1<Item, Value>>;
  /** Builds the request's output from its items' values, in input order. */
  doAssemble(values: readonly Value[], prepared: PreparedRequest<Item>, options: Options | undefined): Output;
}

/** The input type a skill accepts. */
export type SkillInput<S> = S extends SkillV1<infer Input, unknown, unknown, unknown, unknown> ? Input : never;
/** The output type a skill returns. */
export type SkillOutput<S> = S extends SkillV1<unknown, infer Output, unknown, unknown, unknown> ? Output : never;
/** The per-request options a skill takes. */
export type SkillOptions<S> = S extends SkillV1<unknown, unknown, infer Options, unknown, unknown> ? Options : never;

/** Where a worker thread imports the skill from, or undefined when it can only run inline. */
export function skillSource(skill: SkillV1): ModuleExport | undefined {
  return skill.exportName === undefined ? undefined : { module: skill.packageName, exportName: skill.exportName };
}
