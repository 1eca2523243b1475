import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { sentenceEmbeddingsSkill } from '@accel/skill-sentence-embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run-cli.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const modelId = 'Xenova/all-MiniLM-L6-v2';
let folder: string;
let cacheDirectory: string;
let miniLm: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'accel-serve-'));
  cacheDirectory = join(folder, 'models');
  miniLm = (await forgeModel(modelId, { root: cacheDirectory })).directory;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(folder, { recursive: true, force: true });
});

async function writeConfig(name: string, config: unknown): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

describe('accel serve --help', () => {
  it('prints the usage and every option; accel --help lists the command', async () => {
    const help = await run('serve', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:\n {2}accel serve --config accel\.json \[options\]/);
    for (const flag of ['--config', '--host', '--port', '--api-key', '--admin-key', '--cors-origin', '--request-timeout', '--shutdown-deadline', '--check', '--model', '--backend']) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${flag} `, 'm'));
    }
    expect((await run('--help')).stdout).toMatch(/^ {2}accel serve --config FILE \[--check\] +an OpenAI-compatible HTTP server/m);
    expect((await run('serve', '--bogus')).stderr).toContain('accel serve takes no option --bogus');
  });
});

describe('accel serve --check', () => {
  it('passes a good config (exit 0) without loading or binding anything', async () => {
    const config = await writeConfig('good.json', {
      endpoints: [
        { name: 'minilm', skill: 'sentence-embeddings', model: modelId, backend: 'cpu' },
        { name: 'local', skill: 'sentence-embeddings', model: miniLm, lazy: true, maxBatchSize: 8 },
      ],
      server: { port: 1 },
      models: { cacheDirectory, offline: true },
    });
    const { code, stdout, stderr } = await run('serve', '--config', config, '--check');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`ok    endpoints[0].model: hub id ${modelId}, cached in ${miniLm}`);
    expect(stdout).toContain(`ok    endpoints[1].model: folder ${miniLm}`);
    expect(stdout).toContain('ok    endpoints[0].backend: cpu (cpu available)');
    expect(stdout).toMatch(/good\.json: valid \(2 endpoints\)$/);
  });

  it('fails a config with problems (exit 1), naming each one’s path', async () => {
    const config = await writeConfig('bad.json', {
      endpoints: [
        { name: 'a', skill: 'no-such-skill', model: modelId },
        { name: 'b', skill: 'sentence-embeddings', model: join(folder, 'missing-folder') },
        { name: 'c', skill: 'sentence-embeddings', model: 'Xenova/not-cached', backend: 'quantum' },
        { name: 'd', skill: 'sentence-embeddings', model: miniLm, maxBatchSize: 100_000 },
      ],
      models: { cacheDirectory, offline: true },
    });
    const { code, stdout, stderr } = await run('serve', '--config', config, '--check');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^error endpoints\[0\]\.skill: .*no package @accel\/skill-no-such-skill is installed/m);
    expect(stdout).toContain(`error endpoints[1].model: folder ${join(folder, 'missing-folder')} does not exist`);
    expect(stdout).toMatch(/^error endpoints\[2\]\.backend: quantum: unknown backend quantum/m);
    expect(stdout).toMatch(/^error endpoints\[2\]\.model: hub id Xenova\/not-cached is not in the cache .* and downloads are off/m);
    expect(stdout).toMatch(/^error endpoints\[3\]: invalid input: maxBatchSize must be an integer from 1 to \d+$/m);
    expect(stdout).toMatch(/^ok {4}endpoints\[3\]\.model: folder /m);
    expect(stderr).toMatch(/bad\.json: not valid$/);
  });

  it('fails a config that does not fit the schema (exit 1), naming the paths', async () => {
    const config = await writeConfig('schema.json', { endpoints: [{ name: 'a', skill: 'sentence-embeddings', maxBatchSize: 0 }], server: { port: 99_999, colour: 'red' } });
    const { code, stderr } = await run('serve', '--config', config, '--check');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: ACCEL_INVALID_INPUT: invalid input: .*schema\.json: endpoints\[0\]\.maxBatchSize: Too small: .*; server\.port: Too big: .*; server: Unrecognized key: "colour"$/);
    const notJson = await writeConfig('broken.json', {});
    await writeFile(notJson, '{ "endpoints": [');
    expect((await run('serve', '--config', notJson, '--check')).stderr).toMatch(/broken\.json: the config is not valid JSON/);
    expect((await run('serve', '--config', join(folder, 'absent.json'), '--check')).stderr).toMatch(/cannot read config .*absent\.json: ENOENT/);
    expect((await run('serve', '--config', config, '--model', 'x')).stderr).toMatch(/--model is for accel serve <skill>/);
    expect((await run('serve', '--check')).stderr).toMatch(/accel serve needs --config <file> or a skill name/);
  });

  it('checks the one-endpoint shortcut the same way', async () => {
    const good = await run('serve', 'sentence-embeddings', '--model', miniLm, '--check');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/accel serve sentence-embeddings: valid \(1 endpoint\)$/);
    const bad = await run('serve', 'sentence-embeddings', '--model', miniLm, '--dtype', 'fp64', '--check');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown dtype fp64/);
  });
});

/** A spawned `accel serve`, its output so far, and a promise of its exit code. */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { env: { ...process.env, ACCEL_API_KEY: '', ACCEL_ADMIN_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  const url = new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1];
      if (found !== undefined) resolve(found);
    };
    child.stdout!.on('data', look);
    void exited.then((code) => reject(new Error(`accel serve exited with ${code} before listening:\n${output.stdout}\n${output.stderr}`)));
  });
  return { child, output, exited, url };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('accel serve (a child process)', () => {
  it('serves the config’s endpoints, adds and removes one with the admin key, and drains on SIGTERM', async () => {
    const config = await writeConfig('serve.json', {
      endpoints: [
        { name: 'minilm', skill: 'sentence-embeddings', model: modelId },
        // Its batches wait 1.5 s for batch-mates: a request to it is still in flight when SIGTERM arrives.
        { name: 'slow', skill: 'sentence-embeddings', model: miniLm, batchWaitMs: 1500 },
      ],
      server: { port: 0, apiKey: 'config-key' },
      models: { cacheDirectory, offline: true },
      threads: 1,
    });
    // The environment's key wins over the config's; --admin-key turns on the admin routes.
    const server = serve(['--config', config, '--admin-key', 'admin-key'], { ACCEL_API_KEY: 'env-key' });
    const url = await server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await until('/ready', async () => (await fetch(`${url}/ready`)).status === 200);
    expect(server.output.stdout).toMatch(/endpoint minilm \(sentence-embeddings, .*\): ready on cpu/);
    expect(server.output.stdout).toMatch(/endpoint slow \(sentence-embeddings, .*\): ready on cpu/);
    expect(server.output.stderr).not.toMatch(/warning/);

    const key = { authorization: 'Bearer env-key' };
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await post('/v1/accel/infer/minilm', { input: ['a cat'] }, { authorization: 'Bearer config-key' })).status).toBe(401);
    const response = await post('/v1/accel/infer/minilm', { input: ['a cat', 'a dog'] }, key);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: { embeddings: number[][] }; provenance: { endpoint: string; backend: string } };
    const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], models: { cacheDirectory, offline: true } });
    try {
      accel.addEndpoint({ skill: sentenceEmbeddingsSkill, model: modelId });
      const local = await accel.infer(sentenceEmbeddingsSkill, ['a cat', 'a dog']);
      expect(body.output.embeddings).toHaveLength(2);
      body.output.embeddings.forEach((row, index) => {
        expect(row).toHaveLength(local.output.dimensions);
        row.forEach((value, column) => expect(Math.abs(value - local.output.embeddings[index]![column]!)).toBeLessThanOrEqual(1e-6));
      });
    } finally {
      await accel.dispose();
    }
    expect(body.provenance).toMatchObject({ endpoint: 'minilm', backend: 'cpu' });

    // Admin: the API key does not grant it; the admin key adds an endpoint that serves, then removes it.
    const entry = { name: 'added', skill: 'sentence-embeddings', model: miniLm };
    expect((await post('/v1/accel/endpoints', entry, {})).status).toBe(401);
    expect((await post('/v1/accel/endpoints', entry, key)).status).toBe(401);
    const added = await post('/v1/accel/endpoints?wait=true', entry, { authorization: 'Bearer admin-key' });
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ id: 'added', state: 'ready' });
    expect((await post('/v1/accel/infer/added', { input: 'hello' }, key)).status).toBe(200);
    expect((await fetch(`${url}/v1/accel/endpoints/added`, { method: 'DELETE', headers: key })).status).toBe(401);
    const removed = await fetch(`${url}/v1/accel/endpoints/added`, { method: 'DELETE', headers: { authorization: 'Bearer admin-key' } });
    expect(await removed.json()).toEqual({ id: 'added', deleted: true });
    expect((await post('/v1/accel/infer/added', { input: 'hello' }, key)).status).toBe(404);

    // SIGTERM while a request waits in the slow endpoint's queue: it completes, new ones are refused, exit 0.
    const slow = post('/v1/accel/infer/slow', { input: 'slow request' }, key);
    await until('the slow request to be queued', async () => {
      const status = (await (await fetch(`${url}/v1/accel/status`, { headers: key })).json()) as { endpoints: Array<{ id: string; queue: { pending: number } }> };
      return (status.endpoints.find((endpoint) => endpoint.id === 'slow')?.queue.pending ?? 0) > 0;
    });
    server.child.kill('SIGTERM');
    await until('draining to start', async () => server.output.stderr.includes('SIGTERM: draining'), 5_000);
    const during = await fetch(`${url}/ready`).then(
      (answer) => answer.status,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );
    expect([503, 'ECONNREFUSED']).toContain(during);
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(((await finished.json()) as { output: { embeddings: number[][] } }).output.embeddings[0]).toHaveLength(body.output.embeddings[0]!.length);
    expect(await server.exited).toBe(0);
    expect(server.output.stderr).toMatch(/accel serve: stopped\s*$/);
  });

  it('warns when it binds beyond loopback without a key', async () => {
    const server = serve(['sentence-embeddings', '--model', miniLm, '--host', '0.0.0.0', '--port', '0', '--offline']);
    const url = await server.url;
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    await until('the warning', async () => server.output.stderr.includes('warning: binding 0.0.0.0 without an API key'), 5_000);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.output.stderr).toMatch(/SIGINT: draining .*\n.*accel serve: stopped\n$/);
  });
});
