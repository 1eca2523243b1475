import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '@accel/core';

/**
 * One entry of a sweep map: a config.json `model_type` and the checkpoint that represents it, or
 * the reason no skill runs it.
 */
export type SweepMapEntry =
  | {
      readonly modelType: string;
      /** Hub id, or a folder (a value starting with `.` or `/`, relative to the map file). */
      readonly model: string;
      /** The skill to run it with; default: the one installed skill that serves the type (see `chooseSkill`). */
      readonly skill?: string;
      readonly unsupported?: undefined;
    }
  | { readonly modelType: string; readonly unsupported: string; readonly model?: string; readonly skill?: undefined };

/**
 * Reads a sweep map: a JSON object from `model_type` to a checkpoint (`"bert": "org/repo"`, as the
 * original `mapped_models.json`), or to `{ "model": "org/repo", "skill": "name" }`, or to
 * `{ "unsupported": "why" }`. Keys that start with `$` are comments. A file that is not such a map
 * is an `InvalidInputError` naming the bad key.
 */
export async function readSweepMap(path: string): Promise<SweepMapEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError({ reason: `--map ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError({ reason: `--map ${path}: not JSON (${error instanceof Error ? error.message : String(error)})`, cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidInputError({ reason: `--map ${path}: expected an object from model_type to checkpoint` });
  const folder = dirname(resolve(path));
  const entries: SweepMapEntry[] = [];
  for (const [modelType, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (modelType.startsWith('$')) continue;
    const bad = (why: string) => new InvalidInputError({ reason: `--map ${path}: entry "${modelType}": ${why}` });
    if (typeof value === 'string') {
      if (value.length === 0) throw bad('the checkpoint is empty');
      entries.push({ modelType, model: modelLocation(value, folder) });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('expected a checkpoint string, { "model", "skill" } or { "unsupported": "reason" }');
    const record = value as Record<string, unknown>;
    const model = record.model;
    if (model !== undefined && (typeof model !== 'string' || model.length === 0)) throw bad('"model" must be a non-empty string');
    if (record.unsupported !== undefined) {
      if (typeof record.unsupported !== 'string' || record.unsupported.length === 0) throw bad('"unsupported" must say why');
      entries.push({ modelType, unsupported: record.unsupported, ...(typeof model === 'string' ? { model } : {}) });
      continue;
    }
    if (typeof model !== 'string') throw bad('needs "model" (or "unsupported" with the reason)');
    if (record.skill !== undefined && (typeof record.skill !== 'string' || record.skill.length === 0)) throw bad('"skill" must be a skill name');
    entries.push({ modelType, model: modelLocation(model, folder), ...(typeof record.skill === 'string' ? { skill: record.skill } : {}) });
  }
  return entries;
}

/** A folder named relative to the map file becomes absolute; a hub id stays as it is. */
function modelLocation(model: string, mapFolder: string): string {
  if (isAbsolute(model)) return model;
  return model.startsWith('./') || model.startsWith('../') ? resolve(mapFolder, model) : model;
}

/** The entries `--only` / `--skip` keep; a name in either list that the map lacks is an `InvalidInputError`. */
export function filterSweepMap(entries: readonly SweepMapEntry[], only: readonly string[] | undefined, skip: readonly string[] | undefined): SweepMapEntry[] {
  const known = new Set(entries.map((entry) => entry.modelType));
  for (const [flag, names] of [['--only', only], ['--skip', skip]] as const) {
    const unknown = (names ?? []).filter((name) => !known.has(name));
    if (unknown.length > 0) throw new InvalidInputError({ reason: `${flag}: the map has no model_type ${unknown.join(', ')}` });
  }
  return entries.filter((entry) => (only === undefined || only.includes(entry.modelType)) && !(skip ?? []).includes(entry.modelType));
}
