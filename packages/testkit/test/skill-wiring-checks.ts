import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MatrixReport } from '../src/reports.js';

/** The most lines a skill's conformance test may have: the kit, the skill, its cases and one call. */
export const maxConformanceTestLines = 15;

/** What a skill export must carry for these checks (a `SkillV1`, loosely: the dist is plain JavaScript). */
interface SkillLike {
  readonly specificationVersion: 'v1';
  readonly name: string;
  readonly packageName: string;
  readonly exportName?: string;
  readonly source?: { readonly module: string; readonly exportName: string };
}

/** Every `packages/skill-*` folder of a workspace, by folder name. */
export function skillFolders(root: string): string[] {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('skill-'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * What is wrong with how one skill package is wired, as sentences naming the package; empty when
 * nothing is: its conformance test exists, is at most 15 lines and calls the kit's `testSkill`; its
 * `package.json` name is the `packageName` of every skill its built `dist/index.js` exports (a value
 * with `specificationVersion: 'v1'`); an `exportName` (or deprecated `source`) names an export of
 * the package that is that skill; and `reports/matrix.json` has a cell for the skill on every backend.
 */
export async function skillWiringProblems(root: string, folder: string, backends: readonly string[]): Promise<string[]> {
  const directory = join(root, 'packages', folder);
  const problems: string[] = [];
  const say = (problem: string) => problems.push(`packages/${folder}: ${problem}`);

  const testFile = join(directory, 'test', 'conformance.test.ts');
  if (!existsSync(testFile)) say('has no test/conformance.test.ts');
  else {
    const text = readFileSync(testFile, 'utf8');
    const lines = text.trimEnd().split('\n').length;
    if (lines > maxConformanceTestLines) say(`test/conformance.test.ts has ${lines} lines (at most ${maxConformanceTestLines}: move the data into test/conformance-cases.ts)`);
    if (!/from '@accel\/testkit'/.test(text) || !/\btestSkill\(/.test(text)) say("test/conformance.test.ts does not call testSkill from '@accel/testkit'");
  }
  if (!existsSync(join(directory, 'test', 'conformance-cases.ts'))) say('has no test/conformance-cases.ts');

  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name: string };
  const entry = join(directory, 'dist', 'index.js');
  if (!existsSync(entry)) {
    say(`has no dist/index.js: build it (npm run build -w ${manifest.name})`);
    return problems;
  }
  const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const skills = Object.values(module).filter(
    (value): value is SkillLike => typeof value === 'object' && value !== null && (value as { specificationVersion?: unknown }).specificationVersion === 'v1',
  );
  if (skills.length === 0) say("dist/index.js exports no skill (no value with specificationVersion 'v1')");

  const report = JSON.parse(readFileSync(join(root, 'reports', 'matrix.json'), 'utf8')) as MatrixReport;
  for (const skill of new Set(skills)) {
    if (skill.packageName !== manifest.name) say(`skill ${skill.name} says packageName ${skill.packageName}, but package.json says ${manifest.name}`);
    const exported = [
      ...(skill.exportName === undefined ? [] : [{ field: 'exportName', name: skill.exportName }]),
      ...(skill.source === undefined ? [] : [{ field: 'source.exportName', name: skill.source.exportName }]),
    ];
    for (const { field, name } of exported) {
      const value = module[name] as SkillLike | undefined;
      if (value?.specificationVersion !== 'v1' || value.name !== skill.name) say(`skill ${skill.name} names ${field} ${name}, which the package does not export as that skill`);
    }
    if (skill.source !== undefined && skill.source.module !== manifest.name) say(`skill ${skill.name} names source.module ${skill.source.module}, not ${manifest.name}`);
    for (const backend of backends) {
      if (!report.cells.some((cell) => cell.skill === skill.name && cell.backend === backend)) say(`reports/matrix.json has no cell for ${skill.name} on ${backend} (run npm run matrix)`);
    }
  }
  return problems;
}
