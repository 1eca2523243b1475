// `npm run report:sizes -w @accel/example-browser`: what each skill costs a page. For each skill,
// vite builds (in memory, with the app's vite.config.ts) a worker entry that imports @accel/core,
// @accel/backend-wasm and that skill only, and this sums the JavaScript a page loads for it (every
// chunk, the lazily imported ones too), raw and gzipped, with the largest packages inside. The
// onnxruntime-web files served from /ort/ are counted once, apart. Writes
// reports/browser/bundle-sizes.md at the repository root (or the folder given as the argument).
import { readFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, loadConfigFromFile } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const repository = join(root, '..', '..');
const output = process.argv[2] ?? join(repository, 'reports', 'browser');

const skills = [
  ['sentence-embeddings', '@accel/skill-sentence-embeddings', 'sentenceEmbeddingsSkill'],
  ['whisper', '@accel/skill-whisper', 'whisperSkill'],
  ['clip', '@accel/skill-clip', 'clipSkill'],
];

const entrySource = (imports) =>
  [
    "import { createAccel } from '@accel/core';",
    "import { createWasmBackend } from '@accel/backend-wasm';",
    ...imports.map(([, module, name]) => `import { ${name} } from '${module}';`),
    'const accel = createAccel({ backends: [createWasmBackend()] });',
    ...imports.map(([, , name]) => `accel.addEndpoint({ skill: ${name}, model: '/models/model', backend: 'wasm' });`),
    'export { accel };',
  ].join('\n');

/** The package a bundled module belongs to, or "(entry)". */
function packageOf(id) {
  const clean = id.replace(/^\0/, '');
  const match = clean.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1];
  const workspace = clean.match(/\/(packages|tools)\/([^/]+)\//);
  if (workspace) return JSON.parse(readFileSync(join(repository, workspace[1], workspace[2], 'package.json'), 'utf8')).name;
  return '(entry)';
}

const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, join(root, 'vite.config.ts'));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

async function measure(imports) {
  const entry = '\0accel-size-entry';
  const result = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    resolve: config.resolve,
    plugins: [
      ...config.plugins.filter((plugin) => plugin.name !== 'accel:onnxruntime-files'),
      { name: 'accel:size-entry', resolveId: (id) => (id === 'accel-size-entry' ? entry : null), load: (id) => (id === entry ? entrySource(imports) : null) },
    ],
    build: { write: false, target: 'es2022', modulePreload: false, minify: true, rollupOptions: { input: 'accel-size-entry', output: { format: 'es' } } },
  });
  const chunks = (Array.isArray(result) ? result : [result]).flatMap((entryResult) => entryResult.output).filter((file) => file.type === 'chunk');
  const packages = new Map();
  let raw = 0;
  let gzip = 0;
  for (const chunk of chunks) {
    raw += Buffer.byteLength(chunk.code);
    gzip += gzipSync(chunk.code).byteLength;
    for (const [id, module] of Object.entries(chunk.modules)) packages.set(packageOf(id), (packages.get(packageOf(id)) ?? 0) + module.renderedLength);
  }
  const largest = [...packages].sort((left, right) => right[1] - left[1]).slice(0, 5);
  return { chunks: chunks.length, raw, gzip, largest };
}

const rows = [];
for (const skill of skills) rows.push([skill[0], await measure([skill])]);
rows.push(['all three (the example app\'s worker)', await measure(skills)]);

const ortFolder = dirname(createRequire(createRequire(join(root, 'package.json')).resolve('@accel/backend-wasm/package.json')).resolve('onnxruntime-web'));
const ortFiles = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'].map((file) => {
  const bytes = readFileSync(join(ortFolder, file));
  return [file, statSync(join(ortFolder, file)).size, gzipSync(bytes).byteLength];
});
const versions = ['vite', 'onnxruntime-web', '@huggingface/transformers'].map((name) => {
  const from = name === 'onnxruntime-web' ? createRequire(createRequire(join(root, 'package.json')).resolve('@accel/backend-wasm/package.json')) : createRequire(join(root, 'package.json'));
  let folder = dirname(from.resolve(name));
  while (!statSync(join(folder, 'package.json'), { throwIfNoEntry: false })) folder = dirname(folder);
  return `${name} ${JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version}`;
});

const lines = [
  '# Browser bundle size per skill',
  '',
  `Written by \`npm run report:sizes -w @accel/example-browser\` (examples/browser/scripts/bundle-sizes.mjs) on ${new Date().toISOString().slice(0, 10)}, with ${versions.join(', ')}.`,
  'Each row is a worker entry importing `@accel/core`, `@accel/backend-wasm` and the skill, built by vite with the example app\'s config',
  '(no Node polyfills: the build fails on any Node built-in, sharp, audio-decode or onnxruntime-node), minified; all chunks counted,',
  'the lazily imported ones too, since an endpoint loads them.',
  '',
  '| skill | JS chunks | JS | JS gzipped | largest packages inside (rendered size before minification) |',
  '| --- | ---: | ---: | ---: | --- |',
  ...rows.map(([name, size]) => `| ${name} | ${size.chunks} | ${kb(size.raw)} | ${kb(size.gzip)} | ${size.largest.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')} |`),
  '',
  'Plus onnxruntime-web\'s WebAssembly runtime, served once from `/ort/` (the backend\'s `wasmPaths`) whatever the skills:',
  '',
  '| file | size | gzipped |',
  '| --- | ---: | ---: |',
  ...ortFiles.map(([file, size, gzipped]) => `| ${file} | ${kb(size)} | ${kb(gzipped)} |`),
  '',
];
mkdirSync(output, { recursive: true });
writeFileSync(join(output, 'bundle-sizes.md'), lines.join('\n'));
console.log(`wrote ${relative(process.cwd(), join(output, 'bundle-sizes.md'))}`);
