import { forgeModel } from '@accel/model-forge';
import { startFakeHub, type FakeHub } from '@accel/fake-hub';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accel, InvalidModelError, ModelNotFoundError, type SkillV1 } from '../src/index.js';
import { resolveModelSource } from '../src/model-source/resolve-model-source.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';

/**
 * A folder that exists but holds another family's model is ACCEL_INVALID_MODEL naming the
 * model_type it found; a folder that is missing, or one of the right family lacking a file, is
 * ACCEL_MODEL_NOT_FOUND. Models are forged by tools/model-forge.
 */
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
/** The files the whisper skill asks for at fp32. */
const whisperFiles = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/encoder_model.onnx',
  'onnx/decoder_model_merged.onnx',
];
const whisper = { skill: 'whisper', modelTypes: ['whisper'] };
let miniLm: string;
let whisperFolder: string;
let scratch: string;

beforeAll(async () => {
  miniLm = (await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot })).directory;
  whisperFolder = (await forgeModel('Xenova/whisper-tiny', { root: modelRoot })).directory;
  scratch = await mkdtemp(join(tmpdir(), 'accel-model-type-'));
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('a folder holding another family’s model', () => {
  it('is InvalidModelError naming the model_type it found, not "lacks …"', async () => {
    const error = await caught(resolveModelSource(miniLm, whisperFiles, {}, whisper));
    expect(InvalidModelError.isInstance(error), String(error)).toBe(true);
    const invalid = error as InvalidModelError;
    expect(invalid.code).toBe('ACCEL_INVALID_MODEL');
    expect(invalid.file).toBe(join(miniLm, 'config.json'));
    expect(invalid.reason).toBe('its config.json has model_type "bert", and the whisper skill serves model_type whisper');
    expect(invalid.message).toContain(miniLm);
    expect(invalid.message).not.toContain('lacks');
  });

  it('is InvalidModelError even when it has every file the skill asks for', async () => {
    const error = await caught(resolveModelSource(miniLm, ['config.json', 'tokenizer.json'], {}, { skill: 'gpt2', modelTypes: ['gpt2'] }));
    expect(error).toMatchObject({ code: 'ACCEL_INVALID_MODEL', reason: expect.stringContaining('model_type "bert"') });
  });

  it('is refused the same way when it is a hub id in the cache', async () => {
    const error = await caught(resolveModelSource('Xenova/all-MiniLM-L6-v2', whisperFiles, { cacheDirectory: modelRoot }, whisper));
    expect(error).toMatchObject({ code: 'ACCEL_INVALID_MODEL', model: 'Xenova/all-MiniLM-L6-v2', reason: expect.stringContaining('model_type "bert"') });
  });

  it('fails the endpoint with ACCEL_INVALID_MODEL in init() and status()', async () => {
    const whisperLike: SkillV1<number | number[], number[], { negativeFails?: boolean }, number, number> = {
      ...doublingSkill,
      name: 'whisper-like',
      requiredFiles: () => whisperFiles,
      modelTypes: ['whisper'],
    };
    const accel = new Accel({ backends: [arithmeticBackend()] });
    const id = accel.addEndpoint({ skill: whisperLike, model: miniLm, backend: 'arithmetic' });
    const error = await caught(accel.init(id));
    expect(error).toMatchObject({ code: 'ACCEL_INVALID_MODEL', reason: expect.stringContaining('the whisper-like skill serves model_type whisper') });
    expect(accel.status(id)[0]).toMatchObject({ state: 'failed', error: { code: 'ACCEL_INVALID_MODEL' } });
  });
});

describe('what stays ModelNotFoundError', () => {
  it('a folder that does not exist', async () => {
    const error = await caught(resolveModelSource(join(scratch, 'nowhere'), whisperFiles, {}, whisper));
    expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
  });

  it('a folder of the right family that lacks a file names the file', async () => {
    const error = await caught(resolveModelSource(whisperFolder, [...whisperFiles, 'onnx/decoder_model_merged_fp16.onnx'], {}, whisper));
    expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
    expect((error as ModelNotFoundError).hint).toContain('lacks onnx/decoder_model_merged_fp16.onnx');
  });

  it('a skill that declares no model types keeps the file check only', async () => {
    const error = await caught(resolveModelSource(miniLm, whisperFiles, {}, { skill: 'any' }));
    expect(ModelNotFoundError.isInstance(error), String(error)).toBe(true);
    await expect(resolveModelSource(whisperFolder, whisperFiles, {}, whisper)).resolves.toMatchObject({ directory: whisperFolder, source: 'folder' });
  });
});

describe('downloads', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    const repo = join(scratch, 'hub-an-encoder');
    await mkdir(join(repo, 'onnx'), { recursive: true });
    await writeFile(join(repo, 'config.json'), '{"model_type":"bert"}');
    for (const file of whisperFiles.filter((name) => name !== 'config.json')) {
      await mkdir(dirname(join(repo, file)), { recursive: true });
      await writeFile(join(repo, file), 'x');
    }
    hub = await startFakeHub({ repos: { 'someone/an-encoder': { directory: repo } } });
  });
  afterAll(() => hub.close());

  it('fetches config.json first and refuses another family before fetching its weights', async () => {
    const error = await caught(resolveModelSource('someone/an-encoder', whisperFiles, { cacheDirectory: join(scratch, 'cache'), remoteHost: hub.url }, whisper));
    expect(error).toMatchObject({ code: 'ACCEL_INVALID_MODEL', reason: expect.stringContaining('model_type "bert"') });
    const fetched = hub.requests.filter((request) => request.path.includes('/resolve/')).map((request) => request.path);
    expect(fetched).toContain(`/someone/an-encoder/resolve/${hub.commitOf('someone/an-encoder')}/config.json`);
    expect(fetched.filter((path) => path.endsWith('.onnx'))).toEqual([]);
  });
});
