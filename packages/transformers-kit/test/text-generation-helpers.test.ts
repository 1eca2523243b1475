import { InvalidInputError } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { encodePrompt, planGenerationBatches, type PromptTokenizer } from '../src/index.js';

const row = (index: number, promptLength: number, maxNewTokens: number) => ({ index, prompt: Array<number>(promptLength).fill(7), maxNewTokens });

describe('planGenerationBatches', () => {
  it('keeps a batch together when its longest prompt plus largest maxNewTokens fit the context', () => {
    const rows = [row(0, 10, 20), row(1, 30, 5), row(2, 2, 60)];
    expect(planGenerationBatches(rows, 100)).toEqual([rows]);
  });

  it('starts a new group, in order, when the next row would overrun the context', () => {
    const rows = [row(0, 80, 10), row(1, 5, 100), row(2, 5, 20), row(3, 70, 30)];
    expect(planGenerationBatches(rows, 128).map((group) => group.map((entry) => entry.index))).toEqual([[0], [1, 2], [3]]);
  });

  it('returns no groups for no rows', () => {
    expect(planGenerationBatches([], 128)).toEqual([]);
  });
});

describe('encodePrompt', () => {
  const tokenizer = (template: string | null): PromptTokenizer => ({
    encode: (text) => [...text].map((character) => character.charCodeAt(0)),
    chat_template: template,
    apply_chat_template: (conversation, options) => {
      expect(options).toMatchObject({ add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false });
      if (conversation.some((message) => message.role === 'assistant')) throw new Error('roles must alternate');
      return [1, 2, 3];
    },
  });

  it('encodes a prompt with the tokenizer and a chat with its template', () => {
    expect(encodePrompt(tokenizer(null), 'hi', 'm')).toEqual([104, 105]);
    expect(encodePrompt(tokenizer('{{ x }}'), [{ role: 'user', content: 'hi' }], 'm')).toEqual([1, 2, 3]);
  });

  it('refuses chat without a template, chat the template rejects, and prompts with no tokens', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(InvalidInputError.isInstance(error)).toBe(true);
        return (error as InvalidInputError).reason;
      }
      throw new Error('accepted');
    };
    expect(refusal(() => encodePrompt(tokenizer(null), [{ role: 'user', content: 'hi' }], 'my/model'))).toMatch(/my\/model has no chat template/);
    expect(refusal(() => encodePrompt(tokenizer('t'), [{ role: 'assistant', content: 'hi' }], 'm'))).toMatch(/rejected the messages: roles must alternate/);
    expect(refusal(() => encodePrompt({ ...tokenizer(null), encode: () => [] }, 'x', 'm'))).toMatch(/no tokens/);
  });
});
