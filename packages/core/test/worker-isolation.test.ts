import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Core from '../src/index.js';
import type { Accel, SkillV1 } from '../src/index.js';
import { makeModelFolder } from './fixtures/model-folder.js';
// @ts-expect-error a plain JavaScript fixture without types (a worker imports it by URL)
import { createFixtureBackend, fixtureSkill } from './fixtures/worker-fixture.mjs';

// Worker isolation runs the built worker (dist/worker/endpoint-worker.js), as an installed package
// does: the registry under test is the built one too (package.json makes this target build core
// first), so its worker and its errors are the same code. Imported by URL: typechecking needs no dist.
const { createAccel } = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Core;
const skill = fixtureSkill as SkillV1<number | number[], number[]>;
const registries: Accel[] = [];

async function endpoint(backendOptions: Record<string, unknown> = {}) {
  const accel = createAccel({ backends: [createFixtureBackend(backendOptions)], threads: 1 });
  registries.push(accel);
  accel.addEndpoint({ skill, model: await makeModelFolder(), backend: 'fixture' });
  return accel;
}

afterEach(async () => {
  await Promise.all(registries.splice(0).map((accel) => accel.dispose()));
});

describe('worker isolation', () => {
  it('starts the endpoint worker and imports its modules when the endpoint is added, before init', async () => {
    delete process.env.ACCEL_WORKER_FIXTURE_IMPORTED;
    const accel = await endpoint();
    expect(accel.status()[0]!.state).toBe('added');
    // Only a worker thread imports the fixture now: this test file imported it already, before the variable was cleared.
    for (let waited = 0; waited < 10_000 && process.env.ACCEL_WORKER_FIXTURE_IMPORTED === undefined; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(process.env.ACCEL_WORKER_FIXTURE_IMPORTED).toBeDefined();
    expect(accel.status()[0]!.state).toBe('added');
  });

  it('lets the process exit on its own when the endpoint started a worker and never loaded (a CLI that fails before init)', async () => {
    // A child process adds an endpoint (which starts a worker that imports the fixture), fails to
    // load it and returns without dispose(): an idle worker must not keep it alive.
    const script = `
      const { createAccel } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const { createFixtureBackend, fixtureSkill } = await import(${JSON.stringify(new URL('./fixtures/worker-fixture.mjs', import.meta.url).href)});
      const accel = createAccel({ backends: [createFixtureBackend({})], threads: 1 });
      accel.addEndpoint({ skill: fixtureSkill, model: '/nonexistent/accel-model', backend: 'fixture' });
      const [status] = await accel.init();
      console.log(status.state);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('failed');
  });

  it('gives an endpoint no worker whose runtime started with another thread count, where the backend fixes the count per thread', async () => {
    // A fresh process, so that its pool holds only these workers: two replicas on one thread each,
    // then an endpoint on two threads, which must not land in either of their workers.
    const script = `
      const { createAccel } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const { createFixtureBackend, fixtureSkill } = await import(${JSON.stringify(new URL('./fixtures/worker-fixture.mjs', import.meta.url).href)});
      const model = ${JSON.stringify(await makeModelFolder())};
      const split = createAccel({ backends: [createFixtureBackend({ threadsFixedPerThread: true })], threads: 2, workers: 2 });
      split.addEndpoint({ skill: fixtureSkill, model, backend: 'fixture', replicas: 2 });
      await split.init();
      const whole = createAccel({ backends: [createFixtureBackend({ threadsFixedPerThread: true })], threads: 2, workers: 2 });
      whole.addEndpoint({ skill: fixtureSkill, model, backend: 'fixture', replicas: 1 });
      await whole.init();
      const { output } = await whole.infer(fixtureSkill, [1, 2]);
      console.log(JSON.stringify({ output, sessions: process.env.ACCEL_WORKER_FIXTURE_SESSIONS }));
      await Promise.all([split.dispose(), whole.dispose()]);`;
    // A file, not --input-type with -e: worker threads inherit the process's flags, and that one refuses them.
    const file = join(await mkdtemp(join(tmpdir(), 'accel-worker-threads-')), 'threads.mjs');
    await writeFile(file, script);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 });
    const { output, sessions } = JSON.parse(stdout.trim()) as { output: number[]; sessions: string };
    expect(output).toEqual([2, 4]);
    const opened = sessions.split(' ').map((entry) => entry.split(':') as [string, string]);
    expect(opened.map(([, threads]) => threads).sort()).toEqual(['1', '1', '2']);
    expect(new Set(opened.map(([thread]) => thread)).size).toBe(3);
  });

  it('runs a lone request alone and requests made together as one batch, listing the files the worker loaded', async () => {
    const accel = await endpoint();
    await accel.init();
    const lone = await accel.infer(skill, 21);
    expect(lone.output).toEqual([42]);
    expect(lone.provenance).toMatchObject({ isolation: 'worker', backend: 'fixture', batchSizes: [1], model: { files: ['onnx/model.onnx'] } });
    const together = await Promise.all([1, 2, 3, 4].map((value) => accel.infer(skill, value)));
    expect(together.map((result) => result.output)).toEqual([[2], [4], [6], [8]]);
    expect(together.map((result) => result.provenance.batchSizes)).toEqual([[4], [4], [4], [4]]);
    expect(accel.status()[0]!.modelFiles).toEqual(['onnx/model.onnx']);
  });

  it("forwards a request's cancellation to its own items in the worker, not to its batch-mates'", async () => {
    const accel = await endpoint();
    await accel.init();
    // One batch: the first request times out while the batch runs; the second learns what each item's signal saw.
    const timedOut = accel.infer(skill, -1, { timeoutMs: 100 });
    const mate = accel.infer(skill, -2);
    await expect(timedOut).rejects.toMatchObject({ code: 'ACCEL_TIMEOUT' });
    const { output, provenance } = await mate;
    expect(provenance.batchSizes).toEqual([2]);
    expect(output).toEqual([0]);
  });

  it('reports a load error from the worker with its type, and a skill module that cannot be imported', async () => {
    const failing = await endpoint({ failCreate: true });
    await expect(failing.init(failing.status()[0]!.id)).rejects.toMatchObject({ code: 'ACCEL_INVALID_MODEL', name: 'InvalidModelError' });

    const missing = createAccel({ backends: [createFixtureBackend()], threads: 1 });
    registries.push(missing);
    const absent = { ...skill, packageName: new URL('./fixtures/no-such-skill.mjs', import.meta.url).href };
    const id = missing.addEndpoint({ skill: absent, model: await makeModelFolder(), backend: 'fixture' });
    await expect(missing.init(id)).rejects.toThrow(/no-such-skill\.mjs/);
  });
});
