import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasmBackend } from '@accel/backend-wasm';
import { AccelError, createAccel, type Accel, type SkillV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { clipSkill } from '@accel/skill-clip';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { whisperSkill } from '@accel/skill-whisper';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '@accel/testkit/chromium';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module without declarations (it runs under `node` as is)
import { startStaticServer } from '../scripts/static-server.mjs';
import { firstDifference, plain, wavBytes } from './compare.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const appFolder = here('../dist');
const modelRoot = here('../../../.cache/models/tiny');
const reportFolder = join(process.env.ACCEL_REPORT_DIR ? resolve(here('../../..'), process.env.ACCEL_REPORT_DIR) : here('../../../.cache/reports'), 'browser');

type Outcome = { ok: true; value: { output: unknown; provenance: { threads?: number; backend: string; isolation: string } } } | { ok: false; error: { name?: string; code?: string; message?: string } };
interface Demo {
  crossOriginIsolated: boolean;
  cachedModelFiles(): Promise<string[]>;
  init(endpoints?: unknown, options?: unknown): Promise<Array<{ id: string; state: string; error?: unknown }>>;
  infer(skill: string, input: unknown, options?: unknown): Promise<Outcome>;
  transcribe(url: string, options?: unknown): Promise<{ outcome: Outcome; samples: number[]; longTasks: Array<{ start: number; duration: number }>; ms: number }>;
  clip(bytes: number[], input?: unknown, options?: unknown): Promise<Outcome>;
  gradientPng(width: number, height: number): Promise<number[]>;
}
declare const accelDemo: Demo;

/** Random weights never say end-of-text early: a bound on tokens keeps the test short. */
const whisperOptions = { maxNewTokens: 24 };
const texts = ['a cat sits on the mat', 'a dog', 'WebAssembly in a browser tab'];
const sampleRate = 16_000;
/** The static server plays the hub for one repository: `<remoteHost>/<id>/resolve/main/<file>`. */
const hubPrefix = '/hub/Xenova/all-MiniLM-L6-v2/resolve/main/';
// 1.5 s: a rising tone with a little deterministic noise, as 16-bit PCM.
const pcm = Int16Array.from({ length: sampleRate * 1.5 }, (_, index) => {
  const t = index / sampleRate;
  return Math.round(9000 * Math.sin(2 * Math.PI * (220 + 180 * t) * t) + 800 * Math.sin(index * 12.9898));
});

async function nodeOutcome(accel: Accel, skill: SkillV1, input: unknown, options?: Record<string, unknown>): Promise<Outcome> {
  try {
    const result = await accel.infer(skill, input as never, options as never);
    return { ok: true, value: { output: plain(result.output), provenance: result.provenance as never } };
  } catch (error) {
    return { ok: false, error: { name: (error as Error).name, code: AccelError.isInstance(error) ? error.code : undefined, message: (error as Error).message } };
  }
}

// Debian's chromium through playwright-core (testkit's launcher); without one the suite is skipped with the reason.
const missingChromium = chromiumMissing();

describe.skipIf(missingChromium !== undefined)(`accel in headless Chromium${missingChromium ? ` — skipped: ${missingChromium}` : ''}`, () => {
  let browser: LaunchedChromium;
  let page: Page;
  let server: { url: string; requests: string[]; close(): Promise<void> };
  let node: Accel;
  let fixtures: string;
  const consoleErrors: string[] = [];
  const report: string[] = [];

  beforeAll(async () => {
    const models = await Promise.all(['Xenova/all-MiniLM-L6-v2', 'Xenova/whisper-tiny', 'Xenova/clip-vit-base-patch32'].map((id) => forgeModel(id, { root: modelRoot })));
    if (!existsSync(join(appFolder, 'index.html'))) {
      // `npm test` builds first (the test target depends on build); a bare `npx vitest run` builds here.
      const { build } = await import('vite');
      await build({ root: here('..'), configFile: here('../vite.config.ts'), logLevel: 'error' });
    }
    fixtures = mkdtempSync(join(tmpdir(), 'accel-browser-'));
    writeFileSync(join(fixtures, 'tone.wav'), wavBytes(pcm, sampleRate));
    server = await startStaticServer({ root: appFolder, mounts: { '/models/': modelRoot, '/fixtures/': fixtures, [hubPrefix]: models[0]!.directory } });

    node = createAccel({ backends: [createWasmBackend()] });
    node.addEndpoint({ skill: sentenceEmbeddingsSkill, model: models[0]!.directory, backend: 'wasm' });
    node.addEndpoint({ skill: whisperSkill, model: models[1]!.directory, backend: 'wasm' });
    node.addEndpoint({ skill: clipSkill, model: models[2]!.directory, backend: 'wasm' });
    const nodeLoad = node.init();

    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => typeof accelDemo === 'object', null, { timeout: 20_000 });
    const statuses = await page.evaluate(() => accelDemo.init());
    expect(statuses.map((status) => [status.id, status.state, status.error])).toEqual([
      ['sentence-embeddings@wasm', 'ready', undefined],
      ['whisper@wasm', 'ready', undefined],
      ['clip@wasm', 'ready', undefined],
    ]);
    await nodeLoad;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await node?.dispose();
    if (fixtures) rmSync(fixtures, { recursive: true, force: true });
    if (report.length > 0) {
      mkdirSync(reportFolder, { recursive: true });
      writeFileSync(join(reportFolder, 'e2e.md'), `# accel in headless Chromium\n\nWritten by \`examples/browser/test/browser.test.ts\` (\`cd examples/browser && ACCEL_REPORT_DIR=reports npx vitest run\`) on ${new Date().toISOString()}, Node ${process.version}.\n\n${report.join('\n')}\n`);
    }
  });

  it('is cross-origin isolated and runs WebAssembly on more than one thread, in a Web Worker', async () => {
    expect(await page.evaluate(() => accelDemo.crossOriginIsolated)).toBe(true);
    const outcome = await page.evaluate((input) => accelDemo.infer('sentence-embeddings', input), ['threads']);
    expect(outcome.ok).toBe(true);
    const provenance = (outcome as Extract<Outcome, { ok: true }>).value.provenance;
    expect(provenance).toMatchObject({ backend: 'wasm', isolation: 'inline' });
    expect(provenance.threads).toBeGreaterThan(1);
    const [cores, agent] = await page.evaluate(() => [navigator.hardwareConcurrency, navigator.userAgent] as const);
    report.push(`- ${/HeadlessChrome\/[\d.]+/.exec(agent)?.[0] ?? agent}, navigator.hardwareConcurrency ${cores}; crossOriginIsolated: true; provenance.threads: ${provenance.threads}`);
  });

  it('embeds sentences as Node does (within 1e-5)', async () => {
    const [inPage, inNode] = await Promise.all([page.evaluate((input) => accelDemo.infer('sentence-embeddings', input), texts), nodeOutcome(node, sentenceEmbeddingsSkill as unknown as SkillV1, texts)]);
    expect(inPage.ok && inNode.ok).toBe(true);
    const [pageOutput, nodeOutput] = [(inPage as Extract<Outcome, { ok: true }>).value.output, (inNode as Extract<Outcome, { ok: true }>).value.output];
    expect(firstDifference(pageOutput, nodeOutput, 1e-5)).toBeUndefined();
    expect((nodeOutput as { embeddings: number[][] }).embeddings).toHaveLength(texts.length);
  });

  it('transcribes audio the page decoded as Node does (text identical), with no long task on the main thread', async () => {
    const inPage = await page.evaluate(([url, options]) => accelDemo.transcribe(url, options), ['/fixtures/tone.wav', whisperOptions] as const);
    // Chromium decoded the WAV to Node's samples within one 16-bit step (it scales positive
    // samples by 1/32767, Node's decoder all by 1/32768), so Node transcribes the page's own samples.
    expect(inPage.samples).toHaveLength(pcm.length);
    expect(firstDifference(inPage.samples, Array.from(pcm, (sample) => sample / 32768), 1 / 32767)).toBeUndefined();
    const inNode = await nodeOutcome(node, whisperSkill as unknown as SkillV1, { samples: Float32Array.from(inPage.samples), sampleRate }, whisperOptions);
    expect([inPage.outcome, inNode].map((outcome) => (outcome.ok ? "ok" : outcome.error))).toEqual(["ok", "ok"]);
    const [pageOutput, nodeOutput] = [(inPage.outcome as Extract<Outcome, { ok: true }>).value.output, (inNode as Extract<Outcome, { ok: true }>).value.output];
    expect((pageOutput as { text: string }).text).toBe((nodeOutput as { text: string }).text);
    expect(firstDifference(pageOutput, nodeOutput, 1e-5)).toBeUndefined();
    // Node's own decoding of the same file gives the same transcript.
    const fromFile = await nodeOutcome(node, whisperSkill as unknown as SkillV1, wavBytes(pcm, sampleRate), whisperOptions);
    expect(fromFile.ok && (fromFile.value.output as { text: string }).text).toBe((pageOutput as { text: string }).text);
    report.push(
      `- whisper transcription of 1.5 s (16 kHz WAV decoded by the page, ${whisperOptions.maxNewTokens} tokens at most): ${inPage.ms.toFixed(0)} ms; long tasks (> 50 ms) on the main thread meanwhile: ${inPage.longTasks.length}${inPage.longTasks.length > 0 ? ` (${inPage.longTasks.map((task) => `${task.duration.toFixed(0)} ms`).join(', ')})` : ''} (goal 0)`,
    );
    expect(inPage.longTasks).toEqual([]);
  });

  it('embeds and classifies an image the page decoded, and texts, as Node does (within 1e-5)', async () => {
    // 32 × 32 is the forged CLIP's input size, so neither side resizes (see the README on resizing).
    const png = await page.evaluate(() => accelDemo.gradientPng(32, 32));
    const labels = ['a photo of a cat', 'a photo of a dog', 'a gradient'];
    const [inPage, inNode] = await Promise.all([page.evaluate(([bytes, input]) => accelDemo.clip(bytes, input), [png, { labels }] as const), nodeOutcome(node, clipSkill as unknown as SkillV1, { images: [Uint8Array.from(png)], labels })]);
    expect(inPage.ok && inNode.ok).toBe(true);
    expect(firstDifference((inPage as Extract<Outcome, { ok: true }>).value.output, (inNode as Extract<Outcome, { ok: true }>).value.output, 1e-5)).toBeUndefined();
    const [pageTexts, nodeTexts] = await Promise.all([page.evaluate((input) => accelDemo.infer('clip', input), { texts: labels }), nodeOutcome(node, clipSkill as unknown as SkillV1, { texts: labels })]);
    expect(pageTexts.ok && nodeTexts.ok).toBe(true);
    expect(firstDifference((pageTexts as Extract<Outcome, { ok: true }>).value.output, (nodeTexts as Extract<Outcome, { ok: true }>).value.output, 1e-5)).toBeUndefined();
  });

  it('refuses bad input with the typed errors Node gives', async () => {
    const cases: Array<[string, SkillV1, string]> = [
      ['sentence-embeddings', sentenceEmbeddingsSkill as unknown as SkillV1, 'empty'],
      ['whisper', whisperSkill as unknown as SkillV1, 'no samples'],
      ['clip', clipSkill as unknown as SkillV1, 'short pixels'],
    ];
    const inputs: Record<string, () => unknown> = {
      empty: () => [],
      'no samples': () => ({ samples: new Float32Array(0), sampleRate: 16_000 }),
      'short pixels': () => ({ images: [{ data: new Uint8Array(5), width: 2, height: 2, channels: 4 }] }),
    };
    for (const [skillName, skill, inputName] of cases) {
      const inPage = await page.evaluate(
        ([name, kind]) => {
          const input = kind === 'empty' ? [] : kind === 'no samples' ? { samples: new Float32Array(0), sampleRate: 16_000 } : { images: [{ data: new Uint8Array(5), width: 2, height: 2, channels: 4 }] };
          return accelDemo.infer(name, input);
        },
        [skillName, inputName] as const,
      );
      const inNode = await nodeOutcome(node, skill, inputs[inputName]!());
      expect(inNode.ok, `${skillName}: Node accepted the bad input`).toBe(false);
      expect(inPage.ok, `${skillName}: the page accepted the bad input`).toBe(false);
      const [pageError, nodeError] = [(inPage as Extract<Outcome, { ok: false }>).error, (inNode as Extract<Outcome, { ok: false }>).error];
      expect({ skill: skillName, name: pageError.name, code: pageError.code }).toEqual({ skill: skillName, name: nodeError.name, code: nodeError.code });
      expect(pageError.code).toBe('ACCEL_INVALID_INPUT');
    }
  });

  it('loads a hub id into the Cache API, then offline from the cache alone, with the same result', async () => {
    const models = { remoteHost: `${server.url}/hub` };
    const endpoints = [{ skill: 'sentence-embeddings', model: 'Xenova/all-MiniLM-L6-v2' }];
    const online = await page.evaluate(([list, options]) => accelDemo.init(list, options), [endpoints, { models }] as const);
    expect(online.map((status) => [status.state, status.error])).toEqual([['ready', undefined]]);
    const downloaded = await page.evaluate((input) => accelDemo.infer('sentence-embeddings', input), texts);
    const base = `${server.url}${hubPrefix}`;
    const cached = await page.evaluate(() => accelDemo.cachedModelFiles());
    expect(cached.every((url) => url.startsWith(base))).toBe(true);
    expect(cached).toEqual(expect.arrayContaining([`${base}config.json`, `${base}tokenizer.json`, `${base}onnx/model.onnx`]));

    const before = server.requests.length;
    const offline = await page.evaluate(([list, options]) => accelDemo.init(list, options), [endpoints, { models: { ...models, offline: true } }] as const);
    expect(offline.map((status) => [status.state, status.error])).toEqual([['ready', undefined]]);
    const fromCache = await page.evaluate((input) => accelDemo.infer('sentence-embeddings', input), texts);
    expect(server.requests.slice(before).filter((request) => request.includes('/hub/'))).toEqual([]);
    expect(downloaded.ok && fromCache.ok).toBe(true);
    const [first, second] = [downloaded, fromCache] as Array<Extract<Outcome, { ok: true }>>;
    expect(firstDifference(second!.value.output, first!.value.output, 0)).toBeUndefined();
    expect(second!.value.provenance).toMatchObject({ model: { id: 'Xenova/all-MiniLM-L6-v2', directory: `${server.url}/hub/Xenova/all-MiniLM-L6-v2/resolve/main` } });
  });

  it('printed no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
