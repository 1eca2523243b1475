import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Transpiles `src/` into `outDir` so that plain `node` child processes can import the package
 * (tests run from source; `dist/` may be stale or missing). Returns the path of `index.js`.
 */
export async function compileSources(outDir: string): Promise<string> {
  const sourceRoot = join(packageRoot, 'src');
  const entries = await readdir(sourceRoot, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((candidate) => candidate.isFile() && candidate.name.endsWith('.ts'))) {
    const sourcePath = join(entry.parentPath, entry.name);
    const { outputText } = ts.transpileModule(await readFile(sourcePath, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(outDir, 'src', relative(sourceRoot, sourcePath).replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  await copyFile(join(packageRoot, 'package.json'), join(outDir, 'package.json'));
  return join(outDir, 'src', 'index.js');
}
