import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from '../src/index.js';

// Every file a README or doc names must exist: relative links, and paths in inline code that look
// like repository files (`src/…`, `test/…`, `packages/…`, `*.ts`, `*.md`, …). A path is looked up
// next to the Markdown file, in its package, at the repository root, in the installed dependencies
// of its package (a README may quote onnxruntime-node's `script/install.js`), in any package (the
// docs speak of "a skill's `src/index.ts`"), and — for a bare source or doc file name — anywhere in
// the repository. Not checked: generated places (.cache/, dist/, node_modules/, reports/cells/,
// ~/…), templates (`<name>`, `{md,json}`), and the files of a model folder (`tokenizer.json`,
// `onnx/…`), which the docs describe but the repository does not hold.
const root = findWorkspaceRoot(import.meta.dirname)!;
const skippedFolders = new Set(['node_modules', 'dist', '.cache', '.nx', '.git', 'coverage']);

function walk(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) walk(join(directory, entry.name), found);
    } else found.push(join(directory, entry.name));
  }
  return found;
}

const files = walk(root);
const fileNames = new Set(files.map((file) => file.slice(file.lastIndexOf('/') + 1)));
const markdownFiles = files.filter((file) => file.endsWith('.md') && !file.includes('/.changeset/') && !file.endsWith('CHANGELOG.md'));

function packageRoot(file: string): string {
  let directory = dirname(file);
  while (directory.startsWith(root) && !existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return directory;
}

/** Files of other projects' repositories that a README cites by path, saying whose they are. */
const upstreamFiles: Record<string, readonly string[]> = {
  // openvino-node is an optional peer that needs Node ≥ 21, so it is not installed here; these are
  // its type declarations and the binding's sources in openvinotoolkit/openvino.
  'packages/backend-openvino/README.md': [
    'types/addon.d.ts',
    'src/bindings/js/node/',
    'lib/addon.ts',
    'lib/index.ts',
    'src/infer_request.cpp',
    'src/tensor.cpp',
    'src/helper.cpp',
    'src/node_output.cpp',
    'src/element_type.cpp',
    'src/model_wrap.cpp',
  ],
};
const packageRoots = ['packages', 'tools'].flatMap((folder) => readdirSync(join(root, folder)).map((name) => join(root, folder, name)));

const looksLikePath = /^(\.{1,2}\/)?([\w@.-]+\/)*[\w@.*-]+(\.(ts|mts|mjs|js|json|md|svg|yml|yaml)|\/)$|^(src|test|packages|docs|tools|reports|scripts)\/\S*$/;
const generated = /^(~|\.cache\/|dist\/|node_modules\/|reports\/cells\/|\/|<|\$|https?:|onnx\/|1_Pooling\/)|[*<>{]|\.\.\.|…/;
const sourceOrDocument = /\.(ts|mts|mjs|js|md)$/;

/** The references a Markdown text makes: link targets and path-like inline code. */
export function references(text: string): string[] {
  const found: string[] = [];
  const withoutFences = text.replace(/^```[\s\S]*?^```/gm, '');
  for (const match of withoutFences.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^(https?:|mailto:|#)/.test(target)) continue;
    found.push(decodeURIComponent(target.split('#')[0]!));
  }
  for (const match of withoutFences.matchAll(/`([^`\s]+)`/g)) {
    const code = match[1]!;
    if (!looksLikePath.test(code) || generated.test(code) || code.startsWith('@')) continue;
    if (!code.includes('/') && !sourceOrDocument.test(code)) continue;
    found.push(code);
  }
  return found;
}

function dependencyRoots(packageFolder: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageFolder, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));
  return names.map((name) => join(root, 'node_modules', name));
}

function exists(reference: string, markdownFile: string): boolean {
  if (upstreamFiles[relative(root, markdownFile)]?.includes(reference)) return true;
  const packageFolder = packageRoot(markdownFile);
  const bases = [dirname(markdownFile), packageFolder, root, join(root, 'node_modules'), ...dependencyRoots(packageFolder), ...packageRoots];
  if (bases.some((base) => existsSync(join(base, reference)))) return true;
  return !reference.includes('/') && fileNames.has(reference);
}

describe('documentation references', () => {
  it('finds links and path-like code, and skips what is not a path', () => {
    expect(
      references('see [the kit](../core/README.md#kit), `src/a.ts`, `shared-copy.test.ts`, `@accel/testkit`, `~/.cache/x`, [web](https://x.org), `npm test`, `tokenizer.json`, `src/<name>.ts`'),
    ).toEqual([
      '../core/README.md',
      'src/a.ts',
      'shared-copy.test.ts',
    ]);
  });

  it('every relative link and path in every Markdown file exists', () => {
    expect(markdownFiles.length).toBeGreaterThan(10);
    const dead = markdownFiles.flatMap((file) =>
      references(readFileSync(file, 'utf8'))
        .filter((reference) => !exists(reference, file))
        .map((reference) => `${relative(root, file)}: ${reference}`),
    );
    expect(dead).toEqual([]);
  });

  it('looks only at files of this repository', () => {
    expect(markdownFiles.every((file) => statSync(file).isFile() && !file.includes('/node_modules/'))).toBe(true);
  });
});
