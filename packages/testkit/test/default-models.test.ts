import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from '../src/index.js';
import { skillFolders } from './skill-wiring-checks.js';

// docs/default-models.json records, for every skill, what its default model's hub repo was seen
// to hold. This keeps it in step with the skills (defaultModel, requiredFiles('fp32')) and with the
// README's "Default models" table, which is written from it.

interface RecordedFile {
  readonly path: string;
  readonly listed: string | null;
  readonly bytes: number | null;
  readonly seenAt?: string;
}

type Entry =
  | { readonly pending: true }
  | {
      readonly pending?: undefined;
      readonly repo: string;
      readonly status: 'verified' | 'listing-not-stored' | 'file-name-mismatch' | 'no-public-onnx';
      readonly files: readonly RecordedFile[];
      readonly missing?: readonly string[];
      readonly otherDtypes: readonly { readonly dtype: string; readonly file: string; readonly listed: string }[];
      readonly otherFiles?: readonly RecordedFile[];
      readonly checked: readonly string[];
    };

interface SkillLike {
  readonly specificationVersion: 'v1';
  readonly name: string;
  readonly defaultModel: string;
  requiredFiles(dtype: 'fp32'): readonly (string | readonly string[])[];
}

const root = findWorkspaceRoot(import.meta.dirname)!;
const recorded = JSON.parse(readFileSync(join(root, 'docs', 'default-models.json'), 'utf8')) as { skills: Record<string, Entry> };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

async function workspaceSkills(): Promise<SkillLike[]> {
  const found = new Map<string, SkillLike>();
  for (const folder of skillFolders(root)) {
    const entry = join(root, 'packages', folder, 'dist', 'index.js');
    if (!existsSync(entry)) throw new Error(`packages/${folder} has no dist/index.js: build it first`);
    const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'object' && value !== null && (value as { specificationVersion?: unknown }).specificationVersion === 'v1') {
        found.set((value as SkillLike).name, value as SkillLike);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const skills = await workspaceSkills();
const units: Record<string, number> = { Bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** The bytes a hub listing's size text stands for ("254 MB" → 254,000,000; the hub counts in SI units). */
function listedBytes(listed: string): number {
  const match = /^(\d+(?:\.\d+)?) (Bytes|kB|MB|GB)$/.exec(listed);
  if (match === null) throw new Error(`not a hub listing size: ${listed}`);
  return Math.round(Number(match[1]) * units[match[2]!]!);
}

describe('docs/default-models.json', () => {
  it('finds the skills', () => {
    expect(skills.length).toBeGreaterThanOrEqual(13);
  });

  it('has an entry for every skill and none for a skill that does not exist', () => {
    expect(Object.keys(recorded.skills).sort()).toEqual(skills.map((skill) => skill.name));
  });

  it('leaves only llava-next pending (its helper fills it in)', () => {
    const pending = Object.entries(recorded.skills).filter(([, entry]) => entry.pending === true).map(([name]) => name);
    expect(pending.every((name) => name === 'llava-next')).toBe(true);
  });

  it.each(skills.map((skill) => [skill.name, skill] as const))('%s: records its defaultModel and the files it loads for fp32', (name, skill) => {
    const entry = recorded.skills[name]!;
    if (entry.pending === true) {
      expect(name).toBe('llava-next');
      return;
    }
    expect(entry.repo).toBe(skill.defaultModel);
    expect(entry.checked.length).toBeGreaterThan(0);
    const paths = entry.files.map((file) => file.path);
    // An entry that is a list is satisfied by any one of its files.
    const missing = skill
      .requiredFiles('fp32')
      .filter((file) => (typeof file === 'string' ? !paths.includes(file) : !file.some((alternative) => paths.includes(alternative))))
      .map((file) => (typeof file === 'string' ? file : file.join(' | ')));
    switch (entry.status) {
      case 'verified':
        expect(missing).toEqual([]);
        break;
      case 'listing-not-stored':
        // Nothing is claimed as seen: the files are the skill's, without sizes.
        expect(missing).toEqual([]);
        expect(entry.files.every((file) => file.listed === null && file.seenAt === undefined)).toBe(true);
        break;
      case 'file-name-mismatch':
        // The known gap, exactly: fixing the skill (or the repo) must update the entry.
        expect(missing.length).toBeGreaterThan(0);
        expect(missing).toEqual(entry.missing);
        break;
      case 'no-public-onnx':
        expect(missing.filter((file) => file.endsWith('.onnx')).length).toBeGreaterThan(0);
        expect(entry.files.some((file) => file.path.endsWith('.onnx'))).toBe(false);
        break;
      default:
        throw new Error(`unknown status ${String((entry as { status: unknown }).status)}`);
    }
  });

  it.each(Object.entries(recorded.skills).filter(([, entry]) => entry.pending !== true))('%s: sizes in bytes are the listed sizes', (_name, entry) => {
    if (entry.pending === true) return;
    for (const file of [...entry.files, ...(entry.otherFiles ?? [])]) {
      expect(file.bytes, file.path).toBe(file.listed === null ? null : listedBytes(file.listed));
    }
    for (const variant of entry.otherDtypes) expect(listedBytes(variant.listed)).toBeGreaterThan(0);
  });

  it('is the source of the README\'s "Default models" table, row for row', () => {
    const section = /## Default models\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1];
    expect(section, 'README.md has a "## Default models" section').toBeDefined();
    const rows = section!.split('\n').filter((line) => /^\| [a-z][a-z0-9-]* \|/.test(line) && !line.startsWith('| skill |'));
    expect(rows.map((row) => row.split('|')[1]!.trim()).sort()).toEqual(Object.keys(recorded.skills).sort());
    for (const [name, entry] of Object.entries(recorded.skills)) {
      const row = rows.find((line) => line.split('|')[1]!.trim() === name)!;
      if (entry.pending === true) expect(row).toMatch(/pending/);
      else expect(row.split('|')[2]!.trim()).toBe(`\`${entry.repo}\``);
    }
  });
});
