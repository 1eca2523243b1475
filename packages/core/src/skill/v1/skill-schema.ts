import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidInputError } from '../../errors/invalid-input-error.js';

/**
 * A schema that both validates ([Standard Schema](https://standardschema.dev)) and describes itself
 * as JSON Schema (Standard JSON Schema) — any zod 4 schema is one. Core depends on the interface
 * only; skills pick the library.
 */
export interface SkillSchema<Output = unknown> {
  readonly '~standard': StandardSchemaV1.Props<unknown, Output> & StandardJSONSchemaV1.Props<unknown, Output>;
}

/** The one description of a skill's request and result: validation, CLI flags, HTTP routes and docs read it. */
export interface SkillSchemasV1<Input = unknown, Options = unknown, Output = unknown> {
  /** What `infer(skill, input)` accepts; `infer` rejects anything else with `InvalidInputError`. */
  readonly input: SkillSchema<Input>;
  /** The skill's per-request options, an object whose fields are all optional. */
  readonly options: SkillSchema<Options>;
  /** What a request returns; the conformance kit checks every output against it. */
  readonly output: SkillSchema<Output>;
}

/** The per-call options `infer` takes besides the skill's own; they are not the skill's to validate. */
const callOptionKeys = new Set(['endpoint', 'signal', 'timeoutMs']);

/** The options object without `infer`'s own per-call fields. */
export function skillOptionsOf(options: object | undefined): Record<string, unknown> {
  const skillOptions: Record<string, unknown> = {};
  if (options === undefined || options === null) return skillOptions;
  for (const [key, value] of Object.entries(options)) if (!callOptionKeys.has(key)) skillOptions[key] = value;
  return skillOptions;
}

/**
 * Validates `value` against `schema`: the parsed value, or `InvalidInputError` whose reason names
 * where (`images.1: …`) and what is wrong, from the schema's own messages. Synchronous schemas
 * answer synchronously, so a request is validated in the tick it arrives.
 */
export function validateWithSchema<T>(schema: SkillSchema<T>, value: unknown, what: 'input' | 'options'): T | Promise<T> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) return result.then((settled) => settle(settled, what));
  return settle(result, what);
}

function settle<T>(result: StandardSchemaV1.Result<T>, what: 'input' | 'options'): T {
  if (result.issues === undefined) return result.value;
  throw invalidInputFromIssues(result.issues, what);
}

/**
 * One `InvalidInputError` for a schema's issues: the first three, each prefixed with where it is
 * (`images.1: …` for input, `options.template: …` for options).
 */
export function invalidInputFromIssues(reported: readonly StandardSchemaV1.Issue[], what: 'input' | 'options'): InvalidInputError {
  const issues = reported.flatMap(specific);
  const pathOf = (issue: StandardSchemaV1.Issue) => (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
  const described = issues.slice(0, 3).map((issue) => {
    const where = [...(what === 'options' ? ['options'] : []), ...pathOf(issue).map(String)];
    return where.length === 0 ? issue.message : `${where.join('.')}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const index = issues[0] === undefined ? undefined : pathOf(issues[0]).find((segment) => typeof segment === 'number');
  return new InvalidInputError({ reason: `${described.join('; ')}${more}`, ...(typeof index === 'number' ? { index } : {}) });
}

type Segment = PropertyKey | StandardSchemaV1.PathSegment;

/**
 * A union's issue ("Invalid input") made specific: libraries such as zod attach each branch's
 * issues (`errors`); the branch that got deepest into the value says best what is wrong.
 */
function specific(issue: StandardSchemaV1.Issue): StandardSchemaV1.Issue[] {
  const branches = (issue as { errors?: unknown }).errors;
  if (!Array.isArray(branches) || branches.length === 0 || !branches.every(Array.isArray)) return [issue];
  const depth = (branch: readonly StandardSchemaV1.Issue[]) => Math.max(0, ...branch.map((inner) => inner.path?.length ?? 0));
  const best = (branches as StandardSchemaV1.Issue[][]).reduce((chosen, branch) => (depth(branch) > depth(chosen) ? branch : chosen));
  if (depth(best) === 0) {
    // No branch got into the value: say what each would have taken, unless the union has its own message.
    const messages = [...new Set((branches as StandardSchemaV1.Issue[][]).flatMap((branch) => branch.map((inner) => inner.message)))];
    return issue.message !== 'Invalid input' || messages.length === 0 ? [issue] : [{ ...issue, message: messages.join(' — or ') }];
  }
  const prefix: readonly Segment[] = issue.path ?? [];
  return best.flatMap((inner) => specific({ ...inner, path: [...prefix, ...(inner.path ?? [])] }));
}

/** The JSON Schema (draft 2020-12) of what a schema accepts, for CLI flags, OpenAPI and docs. */
export function inputJsonSchema(schema: SkillSchema): Record<string, unknown> {
  return schema['~standard'].jsonSchema.input({ target: 'draft-2020-12', libraryOptions: { unrepresentable: 'any' } });
}

/** The JSON Schema (draft 2020-12) of what a schema produces. */
export function outputJsonSchema(schema: SkillSchema): Record<string, unknown> {
  return schema['~standard'].jsonSchema.output({ target: 'draft-2020-12', libraryOptions: { unrepresentable: 'any' } });
}
