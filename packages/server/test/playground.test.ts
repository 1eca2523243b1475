import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel, whisperFiles, writeFileAtomically } from '@accel/model-forge';
import { gpt2Skill } from '@accel/skill-gpt2';
import { llamaSkill } from '@accel/skill-llama';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { whisperSkill } from '@accel/skill-whisper';
import { createAudioFixtures, pacedBackend } from '@accel/testkit';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '@accel/testkit/chromium';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AccelServer } from '../src/index.js';
import { modelRoot, quietLogger, tinyMiniLm } from './helpers.js';

/** Where the screenshots go: an ignored folder, so a test run leaves the work tree clean. */
const screenshots = new URL('../../../.cache/reports/playground/', import.meta.url).pathname;
const apiKey = 'playground-test-key';
const missing = chromiumMissing();
const { writeWav, voiced } = createAudioFixtures();

let accel: Accel;
let server: AccelServer;
let url: string;
let keyed: AccelServer;
let keyedUrl: string;
let browser: LaunchedChromium;
let wavPath: string;
const whisperFolder = mkdtempSync(join(tmpdir(), 'accel-playground-whisper-'));
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (missing !== undefined) return;
  const dimensions = { modelSize: 32, heads: 2, encoderLayers: 2, decoderLayers: 2, feedForwardSize: 64, maxTargetPositions: 40 };
  for (const forged of whisperFiles({ id: 'Xenova/whisper-tiny', dimensions, quantized: false })) await writeFileAtomically(join(whisperFolder, forged.path), forged.content);
  const [minilm, smollm, gpt2] = await Promise.all([
    tinyMiniLm(),
    forgeModel('HuggingFaceTB/SmolLM2-135M-Instruct', { root: modelRoot }).then((forged) => forged.directory),
    forgeModel('Xenova/gpt2', { root: modelRoot }).then((forged) => forged.directory),
  ]);
  wavPath = writeWav('speech.wav', voiced(1.5, 16_000), 16_000);
  // The chat model generates about one token per 25 ms, slowly enough for this test to press Stop mid-stream.
  accel = new Accel({ backends: [pacedBackend(createCpuBackend({ threads: 1 }), 25, (file) => file.startsWith(smollm))] });
  server = createServer({
    accel,
    port: 0,
    logger: quietLogger(),
    endpoints: [
      { name: 'minilm', skill: sentenceEmbeddingsSkill, model: minilm },
      { name: 'whisper', skill: whisperSkill, model: whisperFolder },
      { name: 'smollm', skill: llamaSkill, model: smollm },
      { name: 'gpt2', skill: gpt2Skill, model: gpt2 },
    ],
  });
  url = (await server.listen()).url;
  await server.loaded;
  // The same registry behind a key.
  keyed = createServer({ accel, port: 0, apiKey, logger: quietLogger() });
  keyedUrl = (await keyed.listen()).url;
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await keyed?.close();
  await server?.close();
  await accel?.dispose();
  rmSync(whisperFolder, { recursive: true, force: true });
});

/** A fresh page on `base` that records console errors, with the endpoints loaded (or the load's error shown). */
async function open(base: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(`${base}/`);
  await waitForState(page, /endpoint\(s\)$|^not connected$/);
  return page;
}

/** Waits until the page's status line matches `pattern`. */
async function waitForState(page: Page, pattern: RegExp, timeout = 10_000): Promise<void> {
  await page.locator('#state', { hasText: pattern }).waitFor({ timeout });
}

async function choose(page: Page, endpoint: string, action: string): Promise<void> {
  await page.selectOption('#endpoint', endpoint);
  await page.selectOption('#action', { label: action });
}

/** Runs the request and waits until the page says it is done (or failed, which fails the test with the page's error). */
async function runAndWait(page: Page): Promise<void> {
  await page.click('#run');
  await waitForState(page, /^(done|failed)/, 20_000);
  const state = await page.textContent('#state');
  if (state === 'failed') throw new Error(`the page shows an error: ${await page.textContent('#error')}`);
}

/** Writes the page's screenshot under .cache/reports/playground/ and checks it is not blank: its pixels vary. */
async function screenshot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  const path = join(screenshots, `${name}.png`);
  writeFileSync(path, png);
  const { channels } = await sharp(readFileSync(path)).stats();
  const { width = 0, height = 0 } = await sharp(png).metadata();
  expect(width).toBeGreaterThan(300);
  expect(height).toBeGreaterThan(200);
  // A blank (single-colour) image has a standard deviation of 0 in every channel.
  expect(Math.max(...channels.slice(0, 3).map((channel) => channel.stdev))).toBeGreaterThan(10);
}

async function json(page: Page, selector: string): Promise<Record<string, unknown>> {
  return JSON.parse((await page.textContent(selector)) ?? '') as Record<string, unknown>;
}

async function abortedCount(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^accel_request_failures_total\{endpoint="smollm",code="ACCEL_ABORTED"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe.skipIf(missing !== undefined)(`the playground page in headless Chromium${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  it('is static, with a strict Content-Security-Policy, and needs no key; the API behind it does', async () => {
    const page = await fetch(`${keyedUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    for (const asset of ['playground.js', 'playground.css', 'icon.svg']) expect((await fetch(`${keyedUrl}/playground/${asset}`)).status).toBe(200);
    expect((await fetch(`${keyedUrl}/playground/secret.json`)).status).toBe(404);
    expect((await fetch(`${keyedUrl}/v1/models`)).status).toBe(401);
  });

  it('learns what each endpoint can do from /openapi.json (x-accel-capabilities), not from skill names', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, { post: Record<string, unknown> }> };
    const capabilities = (name: string) => document.paths[`/v1/accel/infer/${name}`]!.post['x-accel-capabilities'];
    expect(capabilities('minilm')).toEqual({ embed: { modalities: ['text'] } });
    expect(capabilities('whisper')).toMatchObject({ transcribe: { tasks: expect.arrayContaining(['transcribe']) } });
    expect(capabilities('smollm')).toMatchObject({ generate: { chat: true } });
    const page = await open(url);
    await choose(page, 'minilm', 'embed text');
    expect(await page.$$eval('#action option', (options) => options.map((option) => option.textContent))).toEqual(['embed text', 'any input (JSON)']);
    await page.close();
  });

  it('runs any endpoint through /v1/accel/infer with a JSON body and shows the whole provenance from the body', async () => {
    const page = await open(url);
    await choose(page, 'gpt2', 'any input (JSON)');
    expect(await page.textContent('#schema')).toContain('"input"');
    await page.fill('#json', JSON.stringify({ input: 'Once upon a time', options: { maxNewTokens: 6 } }));
    await runAndWait(page);
    const local = await accel.infer(gpt2Skill, 'Once upon a time', { maxNewTokens: 6, endpoint: 'gpt2' });
    expect(await json(page, '#output')).toEqual(JSON.parse(JSON.stringify(local.output)));
    const provenance = await json(page, '#provenance');
    expect(provenance).toMatchObject({ endpoint: 'gpt2', backend: 'cpu', model: { files: local.provenance.model.files }, usage: { outputTokens: 6 } });
    expect(await page.textContent('#provenance-source')).toBe('(from the response body)');
    await screenshot(page, 'infer-json');
    await page.close();
  });

  it('embeds a typed sentence and shows the embedding the API gives, with its provenance and timings', async () => {
    const page = await open(url);
    await choose(page, 'minilm', 'embed text');
    await page.fill('#text', 'a cat sat on the mat');
    await runAndWait(page);
    const shown = (await json(page, '#output')) as { data: Array<{ embedding: number[] }> };
    const api = (await (await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'minilm', input: 'a cat sat on the mat' }) })).json()) as {
      data: Array<{ embedding: number[] }>;
    };
    expect(shown.data[0]!.embedding).toEqual(api.data[0]!.embedding);
    const local = await accel.infer(sentenceEmbeddingsSkill, ['a cat sat on the mat'], { endpoint: 'minilm' });
    const vector = Array.from(local.output.embeddings[0]!);
    expect(shown.data[0]!.embedding).toHaveLength(vector.length);
    shown.data[0]!.embedding.forEach((value, index) => expect(Math.abs(value - vector[index]!)).toBeLessThan(1e-6));
    expect(await json(page, '#output')).not.toHaveProperty('provenance');
    // The whole provenance (x-accel-provenance: full), as the in-process call gives it, not the headers' subset.
    const provenance = await json(page, '#provenance');
    expect(provenance).toMatchObject({ endpoint: 'minilm', backend: 'cpu', device: 'cpu', dtype: local.provenance.dtype, skill: 'sentence-embeddings', model: { files: local.provenance.model.files } });
    expect(local.provenance.model.files.length).toBeGreaterThan(0);
    expect(await page.textContent('#provenance-source')).toBe('(from the response body)');
    expect((provenance.timings as { inferenceMs: number }).inferenceMs).toBeGreaterThan(0);
    expect(await page.textContent('#timing-label')).toMatch(/^queued \d+\.\d ms · inference \d+\.\d ms$/);
    expect(await page.isVisible('#error')).toBe(false);
    await screenshot(page, 'embedding');
    await page.close();
  });

  it('transcribes an uploaded WAV to the transcript the API gives', async () => {
    const page = await open(url);
    await choose(page, 'whisper', 'transcribe speech');
    await page.setInputFiles('#file', wavPath);
    await runAndWait(page);
    const shown = await page.textContent('#output-text');
    const form = new FormData();
    form.append('file', new Blob([readFileSync(wavPath)], { type: 'audio/wav' }), 'speech.wav');
    form.append('model', 'whisper');
    const api = (await (await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form })).json()) as { text: string };
    const local = await accel.infer(whisperSkill, new Uint8Array(readFileSync(wavPath)), { endpoint: 'whisper' });
    expect(api.text).toBe(local.output.transcripts[0]!.text);
    expect(shown).toBe(api.text);
    expect(shown!.length).toBeGreaterThan(0);
    expect(await json(page, '#provenance')).toMatchObject({ endpoint: 'whisper', backend: 'cpu', device: 'cpu', dtype: local.provenance.dtype, model: { files: local.provenance.model.files } });
    expect(await page.textContent('#provenance-source')).toBe('(from the response body)');
    await screenshot(page, 'transcription');
    await page.close();
  });

  it('streams a chat token by token, and Stop aborts it (the server counts the abort)', async () => {
    const page = await open(url);
    await choose(page, 'smollm', 'chat (streamed)');
    await page.fill('#text', 'Tell me about the sea.');
    await page.fill('#max-tokens', '200');
    const before = await abortedCount();
    await page.click('#run');
    await waitForState(page, /^streaming… ([3-9]|\d\d+) piece/, 15_000);
    await page.click('#stop');
    await waitForState(page, /^stopped$/, 5_000);
    const stopped = (await page.textContent('#output-text')) ?? '';
    expect(stopped.length).toBeGreaterThan(0);
    expect(await page.isVisible('#error')).toBe(false);
    let after = before;
    for (let attempt = 0; attempt < 100 && after === before; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await abortedCount();
    }
    expect(after).toBe(before + 1);
    await screenshot(page, 'chat-stopped');

    // Run to the end with fewer tokens: the whole text is the in-process greedy generation, and the
    // stopped one is the beginning of the same generation (one of the two texts starts the other).
    await page.fill('#max-tokens', '40');
    await runAndWait(page);
    const whole = (await page.textContent('#output-text')) ?? '';
    const local = await accel.infer(llamaSkill, [{ role: 'user', content: 'Tell me about the sea.' }], { maxNewTokens: 40, endpoint: 'smollm' });
    expect(whole).toBe(local.output.text);
    const [shorter, longer] = stopped.length <= whole.length ? [stopped, whole] : [whole, stopped];
    expect(longer.startsWith(shorter)).toBe(true);
    expect(await json(page, '#provenance')).toMatchObject({ endpoint: 'smollm', backend: 'cpu', usage: { outputTokens: 40 } });
    await page.close();
  });

  it('shows the 401 readably without a key, then works once the key is entered; the key stays out of every URL', async () => {
    const page = await open(keyedUrl);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error-title')).toBe('401 authentication_error');
    expect(await page.textContent('#error-message')).toBe('missing API key: send Authorization: Bearer <key>');
    expect(await page.textContent('#error-fields')).toContain('invalid_api_key');
    await screenshot(page, 'unauthorized');

    await page.fill('#api-key', apiKey);
    await page.click('#connect');
    await waitForState(page, /endpoint\(s\)$/);
    expect(await page.isVisible('#error')).toBe(false);
    await choose(page, 'minilm', 'embed text');
    await page.fill('#text', 'a dog');
    await runAndWait(page);
    const shown = (await json(page, '#output')) as { data: Array<{ embedding: number[] }> };
    const api = (await (
      await fetch(`${keyedUrl}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ model: 'minilm', input: 'a dog' }) })
    ).json()) as { data: Array<{ embedding: number[] }> };
    expect(shown.data[0]!.embedding).toEqual(api.data[0]!.embedding);
    expect(await page.evaluate("sessionStorage.getItem('accel-playground-api-key')")).toBe(apiKey);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((requested) => requested.includes(apiKey))).toEqual([]);
    await screenshot(page, 'authorized');
    await page.close();
    // The only console errors: the browser's own line for each 401 the page was answered before the key.
    expect(consoleErrors.filter((line) => !/status of 401 \(Unauthorized\)/.test(line))).toEqual([]);
  });
});

describe('ui: false', () => {
  it('answers / with 404 and serves no playground asset', async () => {
    const bare = createServer({ accel: new Accel({ backends: [] }), ui: false, logger: quietLogger() });
    const page = await bare.fetch(new Request('http://embedded/'));
    expect(page.status).toBe(404);
    expect(((await page.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await bare.fetch(new Request('http://embedded/playground/playground.js'))).status).toBe(404);
    const served = createServer({ accel: new Accel({ backends: [] }), logger: quietLogger() });
    expect((await served.fetch(new Request('http://embedded/'))).status).toBe(200);
    await bare.close();
    await served.close();
  });
});
