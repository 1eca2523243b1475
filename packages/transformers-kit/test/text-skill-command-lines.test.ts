import { InvalidInputError, validateWithSchema, type SkillCliCommand } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { defineTextEmbeddingSkill, defineTextGenerationSkill, promptOf, textEmbeddingCli, textGenerationCli } from '../src/index.js';

// What the text-embedding and text-generation factories give every skill they define: schemas that
// refuse a malformed request with the same messages as before, and a command line.

const embedding = defineTextEmbeddingSkill({
  name: 'embed-test',
  packageName: '@accel/skill-embed-test',
  exportName: 'embedTestSkill',
  description: 'test',
  defaultModel: 'test/model',
  defaults: { pooling: 'cls', normalize: true },
  maxBatchSize: 4,
});

const generation = defineTextGenerationSkill({
  name: 'generate-test',
  packageName: '@accel/skill-generate-test',
  exportName: 'generateTestSkill',
  description: 'test',
  defaultModel: 'test/model',
  modelClasses: { gpt2: 'GPT2LMHeadModel' },
  maxBatchSize: 4,
  example: { input: 'hi' },
});

/** A command line as the CLI hands it over: positional texts, named quoted. */
function command(positionals: readonly string[], flags: SkillCliCommand['flags'] = {}): SkillCliCommand {
  return { positionals, inputNames: positionals.map((text) => JSON.stringify(text)), inputFiles: [], flags };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(InvalidInputError.isInstance(error)).toBe(true);
    return (error as InvalidInputError).reason;
  }
  throw new Error('accepted');
}

describe('defineTextEmbeddingSkill', () => {
  it('describes itself: worker export, schemas with the defaults in the descriptions, a command line', () => {
    expect(embedding).toMatchObject({ exportName: 'embedTestSkill' });
    expect(embedding.schemas.options.shape.pooling.description).toMatch(/default cls/);
    expect(embedding.schemas.options.shape.normalize.description).toMatch(/default true/);
    expect(embedding.cli?.positionals).toBeDefined();
  });

  it('fills the definition’s defaults in doPrepare, one item per text', () => {
    expect(embedding.doPrepare(['a', 'b'], {}).items).toEqual([
      { text: 'a', pooling: 'cls', normalize: true },
      { text: 'b', pooling: 'cls', normalize: true },
    ]);
    expect(embedding.doPrepare('a', { pooling: 'mean', normalize: false }).items).toEqual([{ text: 'a', pooling: 'mean', normalize: false }]);
  });

  it.each([
    [{ pooling: 'max' }, 'options.pooling: pooling must be one of mean, cls, got max'],
    [{ normalize: 'yes' }, 'options.normalize: normalize must be a boolean, got string'],
  ])('refuses options %j', (options, message) => {
    expect(refusal(() => validateWithSchema(embedding.schemas.options, options, 'options'))).toBe(message);
  });

  it('makes a request of the texts and prints one line per text, named as the CLI names it', () => {
    const cli = textEmbeddingCli('embed-test');
    expect(cli.toRequest(command(['a cat']))).toEqual({ input: 'a cat' });
    expect(cli.toRequest(command(['a cat', 'a dog']))).toEqual({ input: ['a cat', 'a dog'] });
    expect(refusal(() => cli.toRequest(command([])))).toBe('accel run embed-test needs at least one text, or --input-file <path>');
    const printed = cli.format({ embeddings: [Float32Array.of(3, 4)], dimensions: 2 }, command(['a cat']), undefined as never);
    expect(printed).toBe('"a cat" → [3.0000, 4.0000] (2 dims, norm 5.0000)');
  });
});

describe('defineTextGenerationSkill', () => {
  it('describes itself: worker export, schemas, a command line, streaming', () => {
    expect(generation).toMatchObject({ exportName: 'generateTestSkill', streams: true });
    expect(generation.cli?.flags).toHaveProperty('chat');
  });

  it.each([
    [{ maxNewTokens: 0 }, 'options.maxNewTokens: maxNewTokens must be a positive integer'],
    [{ temperature: -1 }, 'options.temperature: temperature must be ≥ 0'],
    [{ topP: 2 }, 'options.topP: topP must be in (0, 1]'],
    [{ topK: -1 }, 'options.topK: topK must be a non-negative integer'],
    [{ repetitionPenalty: 0 }, 'options.repetitionPenalty: repetitionPenalty must be > 0'],
    [{ stop: 'x' }, 'options.stop: stop must be an array of non-empty strings'],
    [{ seed: 0.5 }, 'options.seed: seed must be an integer'],
  ])('refuses options %j', (options, message) => {
    expect(refusal(() => validateWithSchema(generation.schemas.options, options, 'options'))).toBe(message);
  });

  it('joins the positional words into the prompt; --chat (with --system) makes chat messages', () => {
    const cli = textGenerationCli('generate-test');
    expect(cli.toRequest(command(['Once', 'upon', 'a', 'time']))).toEqual({ input: 'Once upon a time' });
    expect(cli.toRequest(command(['hi'], { chat: true, system: 'be brief' }))).toEqual({
      input: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(refusal(() => cli.toRequest(command(['hi'], { system: 'be brief' })))).toBe('--system needs --chat');
    expect(refusal(() => cli.toRequest(command([])))).toBe('accel run generate-test needs a prompt');
    expect(cli.format({ text: ' there', tokens: [1, 2], stopReason: 'length' }, command(['hi']), undefined as never)).toBe(' there\n[stopped: length after 2 tokens]');
  });

  it('takes one prompt from --input-file, not two', () => {
    const fromFiles: SkillCliCommand = { positionals: ['one', 'two'], inputNames: ['a.txt', '(stdin)'], inputFiles: ['a.txt', '-'], flags: {} };
    expect(refusal(() => promptOf(fromFiles, 'generate-test'))).toBe('accel run generate-test takes one prompt: give --input-file once');
    expect(promptOf({ ...fromFiles, positionals: ['one'], inputNames: ['a.txt'], inputFiles: ['a.txt'] }, 'generate-test')).toBe('one');
    // Typed prompts are joined, however many words were given.
    expect(promptOf(command(['one', 'two']), 'generate-test')).toBe('one two');
  });
});
