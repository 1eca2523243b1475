import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  Accel,
  InvalidInputError,
  type SkillV1,
} from '../src/index.js';
import { arithmeticBackend } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

/** `control.streaming` as each item of the fixture skill's batches saw it, in order. */
const streamingSeen: Array<boolean | undefined> = [];

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
            streamingSeen.push(controls[index]!.streaming);
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
  it('tells the skill whether anyone reads an item\'s text: false for infer, true for stream', async () => {
    const accel = await registry();
    streamingSeen.length = 0;
    await accel.infer(spellingSkill, 'ab');
    const stream = accel.stream(spellingSkill, 'cd');
    for await (const piece of stream) expect(piece.length).toBe(1);
    expect(streamingSeen).toEqual([false, true]);
    await accel.dispose();
  });

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
