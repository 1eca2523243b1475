import { createCpuBackend } from '@accel/backend-cpu';
import { type ItemControl, type LoadedSkillV1 } from '@accel/core';
import { resolveGenerationOptions } from '@accel/transformers-kit';
import { forgeModel } from '@accel/model-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpt2Skill, type Gpt2Options, type TextGenerationOutput } from '../src/index.js';
import type { TextGenerationItem } from '@accel/transformers-kit';
import { createTestLoadContext as loadContext } from '@accel/testkit';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let loaded: LoadedSkillV1<TextGenerationItem, TextGenerationOutput>;

beforeAll(async () => {
  const { directory } = await forgeModel('Xenova/gpt2', { root: modelRoot });
  loaded = await gpt2Skill.doLoad(loadContext(directory, createCpuBackend({ threads: 1 })));
});
afterAll(() => loaded.dispose());

function item(input: string, options: Gpt2Options): TextGenerationItem {
  return { input, options: resolveGenerationOptions(options) };
}

function control(onPiece: (piece: string, controller: AbortController) => void = () => undefined): ItemControl & { pieces: string[] } {
  const controller = new AbortController();
  const pieces: string[] = [];
  return {
    pieces,
    signal: controller.signal,
    emit(text) {
      pieces.push(text);
      onPiece(text, controller);
    },
  };
}

function value(outcome: Awaited<ReturnType<typeof loaded.run>>[number] | undefined): TextGenerationOutput {
  if (!outcome?.ok) throw new Error(`expected a value, got ${String(outcome?.ok === false ? outcome.error : outcome)}`);
  return outcome.value;
}

describe('the loaded GPT-2 model', () => {
  it('stops an aborted row at the next token while its batch-mate runs to the end undisturbed', async () => {
    const prompt = 'Once upon a time';
    const [alone] = await loaded.run([item('The quick brown fox', { maxNewTokens: 40 })], [control()]);
    const aborting = control((_piece, controller) => controller.abort());
    const mate = control();
    const [aborted, other] = await loaded.run([item(prompt, { maxNewTokens: 40 }), item('The quick brown fox', { maxNewTokens: 40 })], [aborting, mate]);
    expect(value(aborted).stopReason).toBe('aborted');
    expect(value(aborted).tokens).toHaveLength(1);
    expect(aborting.pieces.length).toBeLessThanOrEqual(1);
    expect(value(other)).toEqual(value(alone));
    expect(mate.pieces.join('')).toBe(value(other).text);
  });

  it('skips a row that was aborted before its batch started', async () => {
    const controller = new AbortController();
    controller.abort();
    const [outcome] = await loaded.run([item('hello', { maxNewTokens: 8 })], [{ signal: controller.signal, emit: () => undefined }]);
    expect(value(outcome)).toEqual({ text: '', tokens: [], stopReason: 'aborted' });
  });

  it('fails only the item that is too long for the context, not its batch-mates', async () => {
    const [tooLong, fine] = await loaded.run([item('the cat sat on the mat. '.repeat(40), {}), item('hello', { maxNewTokens: 4 })], [control(), control()]);
    expect(tooLong?.ok).toBe(false);
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
