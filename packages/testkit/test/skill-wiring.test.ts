import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceBackends, findWorkspaceRoot } from '../src/index.js';
import { skillFolders, skillWiringProblems } from './skill-wiring-checks.js';

// The wiring meta-test: every skill package of the workspace runs the one-call conformance suite,
// says its own package name, and has its cells, on every backend, in the committed matrix.
const root = findWorkspaceRoot(import.meta.dirname)!;
const backends = conformanceBackends.map((backend) => backend.name);
const folders = skillFolders(root);

describe('every skill package is wired to the conformance kit', () => {
  it('finds the skill packages', () => {
    expect(folders.length).toBeGreaterThanOrEqual(12);
  });

  it.each(folders)('packages/%s', async (folder) => {
    expect(await skillWiringProblems(root, folder, backends)).toEqual([]);
  });
});

describe('the wiring checks', () => {
  const fakeRoots: string[] = [];
  afterAll(() => Promise.all(fakeRoots.map((folder) => rm(folder, { recursive: true, force: true }))));

  /** A workspace with one skill package, `packages/skill-fake`, built from the given pieces. */
  async function fakeWorkspace(pieces: { test?: string; cases?: boolean; name?: string; dist?: string; cells?: string[] }): Promise<string> {
    const fake = await mkdtemp(join(tmpdir(), 'accel-wiring-'));
    fakeRoots.push(fake);
    const directory = join(fake, 'packages', 'skill-fake');
    await mkdir(join(directory, 'test'), { recursive: true });
    await mkdir(join(directory, 'dist'));
    await mkdir(join(fake, 'reports'));
    await writeFile(join(directory, 'package.json'), JSON.stringify({ name: pieces.name ?? '@accel/skill-fake' }));
    if (pieces.test !== undefined) await writeFile(join(directory, 'test', 'conformance.test.ts'), pieces.test);
    if (pieces.cases !== false) await writeFile(join(directory, 'test', 'conformance-cases.ts'), 'export const cases = {};\n');
    if (pieces.dist !== undefined) await writeFile(join(directory, 'dist', 'index.js'), pieces.dist);
    const cells = (pieces.cells ?? backends).map((backend) => ({ skill: 'fake', backend }));
    await writeFile(join(fake, 'reports', 'matrix.json'), JSON.stringify({ generatedAt: '', cells }));
    return fake;
  }
  const goodTest = "import { testSkill } from '@accel/testkit';\nimport { fakeSkill } from '../src/index.js';\nimport { cases } from './conformance-cases.js';\n\nawait testSkill(fakeSkill, cases);\n";
  const goodDist = "export const fakeSkill = { specificationVersion: 'v1', name: 'fake', packageName: '@accel/skill-fake', exportName: 'fakeSkill' };\n";

  it('pass a well-wired skill package', async () => {
    expect(await skillWiringProblems(await fakeWorkspace({ test: goodTest, dist: goodDist }), 'skill-fake', backends)).toEqual([]);
  });

  it.each([
    ['no conformance test', { dist: goodDist }, 'has no test/conformance.test.ts'],
    ['a long conformance test', { test: goodTest + '\n'.repeat(3) + '// x\n'.repeat(12), dist: goodDist }, 'lines (at most 15'],
    ['a test that does not call the kit', { test: "import { it } from 'vitest';\nit('works', () => undefined);\n", dist: goodDist }, 'does not call testSkill'],
    ['no cases module', { test: goodTest, cases: false, dist: goodDist }, 'has no test/conformance-cases.ts'],
    ['no build', { test: goodTest }, 'has no dist/index.js'],
    ['no skill export', { test: goodTest, dist: 'export const nothing = 1;\n' }, 'exports no skill'],
    ['another package name', { test: goodTest, dist: goodDist, name: '@accel/skill-other' }, 'says packageName @accel/skill-fake, but package.json says @accel/skill-other'],
    ['an exportName that is not exported', { test: goodTest, dist: goodDist.replace("exportName: 'fakeSkill'", "exportName: 'missingSkill'") }, 'names exportName missingSkill'],
    ['a backend without a cell', { test: goodTest, dist: goodDist, cells: backends.slice(0, 3) }, `no cell for fake on ${backends[3]}`],
  ] as const)('flag %s', async (_name, pieces, problem) => {
    const problems = await skillWiringProblems(await fakeWorkspace(pieces), 'skill-fake', backends);
    expect(problems).toEqual([expect.stringContaining(problem)]);
  });
});
