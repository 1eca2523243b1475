import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  Accel,
  createSeededRandom,
  InvalidInputError,
  resolveGenerationOptions,
  sampleToken,
  StopStringMatcher,
  validateTextGenerationInput,
  type SkillV1,
} from '../src/index.js';
import { arithmeticBackend } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

/** A fixture skill that "generates" its prompt back one character at a time, honouring the abort signal. */
const spellingSkill: SkillV1<string, { text: string; stopReason: string }, { delayMs?: number }, { prompt: string; delayMs: number }, { text: string; stopReason: string }> = {
  specificationVersion: 'v1',
  name: 'spelling',
  packageName: 'test-fixture',
  description: 'spells its prompt',
  tasks: ['generate'],
  defaultModel: 'unused',
  limits: { maxBatchSize: 4 },
  example: { input: 'abc' },
  dtypes: ['fp32'],
  requiredFiles: () => [],
  doPrepare: (input, options) => {
    if (typeof input !== 'string' || input.length === 0) throw new InvalidInputError({ reason: 'empty prompt' });
    return { task: 'generate', items: [{ prompt: input, delayMs: options?.delayMs ?? 0 }] };
  },
  async doLoad() {
    return {
      async run(items, controls) {
        return Promise.all(
          items.map(async (item, index) => {
            let text = '';
            for (const character of item.prompt) {
              if (controls[index]!.signal.aborted) return { ok: true as const, value: { text, stopReason: 'aborted' } };
              if (item.delayMs) await new Promise((resolve) => setTimeout(resolve, item.delayMs));
              text += character;
              controls[index]!.emit(character);
            }
            return { ok: true as const, value: { text, stopReason: 'eos' }, timings: { tokensGenerated: text.length } };
          }),
        );
      },
      dispose: async () => undefined,
    };
  },
  doAssemble: (values) => values[0]!,
};

async function registry() {
  const accel = new Accel({ backends: [arithmeticBackend()], skills: [spellingSkill] });
  accel.addEndpoint({ skill: spellingSkill, model: await makeModelFolder(), backend: 'arithmetic' });
  return accel;
}

describe('stream', () => {
  it('yields text pieces as they come, then resolves the full result with skill timings in the provenance', async () => {
    const accel = await registry();
    const stream = accel.stream(spellingSkill, 'hello');
    const pieces: string[] = [];
    for await (const piece of stream) pieces.push(piece);
    expect(pieces).toEqual(['h', 'e', 'l', 'l', 'o']);
    const { output, provenance } = await stream.result;
    expect(output).toEqual({ text: 'hello', stopReason: 'eos' });
    expect(provenance.timings.tokensGenerated).toBe(5);
  });

  it('stops at the next piece when aborted, rejects, and leaves the endpoint serving', async () => {
    const accel = await registry();
    const controller = new AbortController();
    const stream = accel.stream(spellingSkill, 'a long prompt to spell slowly', { delayMs: 5, signal: controller.signal });
    const pieces: string[] = [];
    const consumed = (async () => {
      for await (const piece of stream) {
        pieces.push(piece);
        if (pieces.length === 3) controller.abort();
      }
    })();
    await expect(consumed).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    expect(pieces.length).toBeLessThan(6);
    const next = await accel.infer(spellingSkill, 'ok');
    expect(next.output.text).toBe('ok');
  });

  it('rejects bad input before any work', async () => {
    const accel = await registry();
    expect(() => accel.stream(spellingSkill, '')).not.toThrow();
    await expect(accel.stream(spellingSkill, '').result).rejects.toSatisfy(InvalidInputError.isInstance);
  });
});

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
    expect(validateTextGenerationInput('hi')).toBe('hi');
    expect(() => validateTextGenerationInput('')).toThrow(/prompt is empty/);
    expect(() => validateTextGenerationInput([])).toThrow(/no messages/);
    expect(() => validateTextGenerationInput([{ role: 'robot', content: 'x' }])).toThrow(/role/);
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
