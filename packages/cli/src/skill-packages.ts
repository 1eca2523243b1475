import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { UnsupportedError, type SkillV1 } from '@accel/core';

/** The npm scope and prefix of skill packages: skill `clip` is `@accel/skill-clip`. */
const skillPackagePrefix = '@accel/skill-';

/** The package that holds skill `name`. */
export function skillPackageName(name: string): string {
  return `${skillPackagePrefix}${name}`;
}

/**
 * The skills installed where this CLI resolves packages, by name (`@accel/skill-clip` → `clip`):
 * every `node_modules/@accel/skill-*` folder with a package.json on Node's lookup path, nearest first.
 */
export function installedSkillNames(): string[] {
  const require = createRequire(import.meta.url);
  const names = new Set<string>();
  for (const nodeModules of require.resolve.paths(skillPackagePrefix) ?? []) {
    let entries: string[];
    try {
      entries = readdirSync(join(nodeModules, '@accel'));
    } catch {
      continue;
    }
    for (const entry of entries.sort()) {
      if (!entry.startsWith('skill-')) continue;
      try {
        const { name } = JSON.parse(readFileSync(join(nodeModules, '@accel', entry, 'package.json'), 'utf8')) as { name?: unknown };
        if (name === `@accel/${entry}`) names.add(entry.slice('skill-'.length));
      } catch {
        // A folder without a readable package.json is not an installed package.
      }
    }
  }
  return [...names];
}

/** True for an object that implements the skill contract. */
export function isSkill(value: unknown): value is SkillV1 {
  const candidate = value as Partial<SkillV1> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.specificationVersion === 'v1' && typeof candidate.doPrepare === 'function';
}

/** Imports skill `name` from its package, or says why it can't and what to install. */
export async function loadSkill(name: string): Promise<SkillV1> {
  const packageName = skillPackageName(name);
  let module: Record<string, unknown>;
  try {
    module = (await import(packageName)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(packageName);
    const installed = installedSkillNames();
    throw new UnsupportedError({
      feature: missing
        ? `skill ${name}: no package ${packageName} is installed (installed skills: ${installed.join(', ') || 'none'}; add one with npm install @accel/skill-<name>)`
        : `skill ${name}: ${packageName} failed to load: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  const skill = Object.values(module).find((value) => isSkill(value) && value.name === name);
  if (skill === undefined) throw new UnsupportedError({ feature: `skill ${name}: ${packageName} exports no skill named ${name}` });
  return skill as SkillV1;
}

/** Every installed skill, imported; a package that fails to import is left out. */
export async function installedSkills(): Promise<SkillV1[]> {
  const skills: SkillV1[] = [];
  for (const name of installedSkillNames()) {
    try {
      skills.push(await loadSkill(name));
    } catch {
      // Listed by `accel --help`; `accel run <name>` reports why it cannot load.
    }
  }
  return skills;
}
