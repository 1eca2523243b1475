import { InvalidInputError, validateWithSchema } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, resolveGenerationOptions, sampleToken, promptSchema, StopStringMatcher } from '../src/index.js';

describe('generation options', () => {
  it('fills defaults: greedy, 128 new tokens', () => {
    expect(resolveGenerationOptions(undefined)).toEqual({ maxNewTokens: 128, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, stop: [], seed: 0 });
  });

  it.each([
    [{ maxNewTokens: 0 }, /maxNewTokens/],
    [{ maxNewTokens: 2.5 }, /maxNewTokens/],
    [{ temperature: -0.1 }, /temperature/],
    [{ topP: 0 }, /topP/],
    [{ topP: 1.5 }, /topP/],
    [{ topK: -1 }, /topK/],
    [{ repetitionPenalty: 0 }, /repetitionPenalty/],
    [{ stop: [''] }, /stop/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveGenerationOptions(options)).toThrow(InvalidInputError);
    expect(() => resolveGenerationOptions(options)).toThrow(message);
  });

  it('validates prompts and chats', () => {
    const validate = (input: unknown) => validateWithSchema(promptSchema, input, 'input');
    expect(validate('hi')).toBe('hi');
    expect(() => validate('')).toThrow(/prompt is empty/);
    expect(() => validate([])).toThrow(/no messages/);
    expect(() => validate([{ role: 'robot', content: 'x' }])).toThrow(/role/);
  });
});

describe('sampleToken', () => {
  const logits = [0.1, 2.0, 1.5, -1.0, 1.9];
  const greedy = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1 };

  it('takes the argmax when greedy, and applies the repetition penalty first', () => {
    expect(sampleToken(logits, [], greedy, Math.random)).toBe(1);
    expect(sampleToken(logits, [1], { ...greedy, repetitionPenalty: 2 }, Math.random)).toBe(4);
  });

  it('is reproducible with a seed and restricted by topK and topP', () => {
    const sampling = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, [], sampling, random));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const random = createSeededRandom(1);
    for (let draw = 0; draw < 50; draw += 1) {
      expect([1, 4]).toContain(sampleToken(logits, [], { ...sampling, topK: 2 }, random));
      expect(sampleToken(logits, [], { ...sampling, topP: 0.01 }, random)).toBe(1);
    }
  });
});

describe('StopStringMatcher', () => {
  it('holds back a possible stop string, then cuts at it', () => {
    const matcher = new StopStringMatcher(['\nUser:']);
    expect(matcher.update('Hello')).toEqual({ emit: 'Hello', stopped: false });
    expect(matcher.update('Hello\nUs')).toEqual({ emit: '', stopped: false });
    expect(matcher.update('Hello\nUser: hi')).toEqual({ emit: '', stopped: true });
    expect(matcher.finalText()).toBe('Hello');
  });

  it('releases held-back text when it turns out not to be a stop string', () => {
    const matcher = new StopStringMatcher(['END']);
    expect(matcher.update('the EN')).toEqual({ emit: 'the ', stopped: false });
    expect(matcher.update('the ENd')).toEqual({ emit: 'ENd', stopped: false });
    expect(matcher.update('the ENd E')).toEqual({ emit: ' ', stopped: false });
    expect(matcher.flush()).toBe('E');
  });
});
