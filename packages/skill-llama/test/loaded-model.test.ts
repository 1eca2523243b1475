import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, InvalidInputError, type ItemControl, type LoadedSkillV1 } from '@accel/core';
import { resolveGenerationOptions } from '@accel/transformers-kit';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaSkill, type LlamaOptions, type TextGenerationOutput } from '../src/index.js';
import type { TextGenerationItem } from '@accel/transformers-kit';
import { createTestLoadContext as loadContext } from '@accel/testkit';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let directory = '';
let loaded: LoadedSkillV1<TextGenerationItem, TextGenerationOutput>;

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/opt-125m', { root: modelRoot }));
  loaded = await llamaSkill.doLoad(loadContext(directory, createCpuBackend({ threads: 1 })));
});
afterAll(() => loaded.dispose());

function item(input: string, options: LlamaOptions): TextGenerationItem {
  return { input, options: resolveGenerationOptions(options) };
}

function control(onPiece: (controller: AbortController) => void = () => undefined): ItemControl & { pieces: string[] } {
  const controller = new AbortController();
  const pieces: string[] = [];
  return {
    pieces,
    signal: controller.signal,
    emit(text) {
      pieces.push(text);
      onPiece(controller);
    },
  };
}

function value(outcome: Awaited<ReturnType<typeof loaded.run>>[number] | undefined): TextGenerationOutput {
  if (!outcome?.ok) throw new Error(`expected a value, got ${String(outcome?.ok === false ? outcome.error : outcome)}`);
  return outcome.value;
}

describe('the loaded OPT model', () => {
  it('stops an aborted row at the next token while its batch-mate runs to the end undisturbed', async () => {
    const [alone] = await loaded.run([item('The quick brown fox', { maxNewTokens: 40 })], [control()]);
    const aborting = control((controller) => controller.abort());
    const mate = control();
    const [aborted, other] = await loaded.run([item('Once upon a time', { maxNewTokens: 40 }), item('The quick brown fox', { maxNewTokens: 40 })], [aborting, mate]);
    expect(value(aborted).stopReason).toBe('aborted');
    expect(value(aborted).tokens).toHaveLength(1);
    expect(value(other)).toEqual(value(alone));
    expect(mate.pieces.join('')).toBe(value(other).text);
  });

  it('fails only the item that is too long for the context, not its batch-mates', async () => {
    const [tooLong, fine] = await loaded.run([item('the cat sat on the mat. '.repeat(40), {}), item('hello', { maxNewTokens: 4 })], [control(), control()]);
    expect(tooLong?.ok === false && InvalidInputError.isInstance(tooLong.error)).toBe(true);
    expect(value(fine).tokens.length).toBeGreaterThan(0);
  });

  it('splits a batch whose longest prompt plus largest maxNewTokens would overrun the position table', async () => {
    const long = 'the cat sat on the mat. '.repeat(12);
    const [alone] = await loaded.run([item(long, { maxNewTokens: 10 })], [control()]);
    const [together, short] = await loaded.run([item(long, { maxNewTokens: 10 }), item('a', { maxNewTokens: 120 })], [control(), control()]);
    expect(value(together)).toEqual(value(alone));
    expect(value(short).tokens.length).toBeGreaterThan(10);
  });
});

describe('invalid options', () => {
  it('are rejected before any work: the endpoint is never loaded', async () => {
    const idle = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [llamaSkill] });
    idle.addEndpoint({ skill: llamaSkill, model: directory, id: 'idle' });
    const invalid: unknown[] = [
      { maxNewTokens: 0 },
      { maxNewTokens: -1 },
      { temperature: -0.1 },
      { topP: 0 },
      { topP: 1.01 },
      { topK: -2 },
      { repetitionPenalty: -1 },
      { stop: [''] },
      { seed: 1.5 },
    ];
    for (const options of invalid) {
      await expect(idle.infer(llamaSkill, 'hello', options as LlamaOptions), JSON.stringify(options)).rejects.toSatisfy(InvalidInputError.isInstance);
    }
    expect(idle.status()[0]!.state).toBe('added');
    await idle.dispose();
  });
});
