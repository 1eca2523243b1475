import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Accel, InvalidInputError, inputJsonSchema, outputJsonSchema, skillOptionsOf, type SkillV1 } from '../src/index.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

const input = z.union([z.number(), z.array(z.number()).min(1, 'give at least one number')]);
const options = z.strictObject({ scale: z.number().positive().optional().describe('multiplies each result') });
const output = z.array(z.number());

/** The doubling skill, validated by schemas: its own `doPrepare` checks nothing any more. */
const schemaSkill: SkillV1<number | number[], number[], { scale?: number }, number, number> = {
  ...(doublingSkill as unknown as SkillV1<number | number[], number[], { scale?: number }, number, number>),
  name: 'schema-doubling',
  schemas: { input, options, output },
  doPrepare: (value, prepared) => ({ task: 'double', items: (typeof value === 'number' ? [value] : value).map((item) => item * (prepared?.scale ?? 1)) }),
};

let model: string;
beforeAll(async () => {
  model = await makeModelFolder();
});

async function registry() {
  const accel = new Accel({ backends: [arithmeticBackend()], skills: [schemaSkill] });
  accel.addEndpoint({ skill: schemaSkill, model, backend: 'arithmetic' });
  await accel.init();
  return accel;
}

describe('skill schemas', () => {
  it('validates input and options before doPrepare, with where and what in the message', async () => {
    const accel = await registry();
    await expect(accel.infer(schemaSkill, [1, 'x' as unknown as number])).rejects.toSatisfy(
      (error: unknown) => InvalidInputError.isInstance(error) && error.index === 1 && /^1: .*expected number/i.test(error.reason),
    );
    await expect(accel.infer(schemaSkill, [])).rejects.toThrow('give at least one number');
    await expect(accel.infer(schemaSkill, 2, { scale: -1 })).rejects.toThrow(/options\.scale: .*>0/);
    await expect(accel.infer(schemaSkill, 2, { colour: 'red' } as never)).rejects.toThrow(/options: .*colour/);
    await accel.dispose();
  });

  it('passes parsed options to doPrepare and keeps infer’s own call options out of the skill’s', async () => {
    const accel = await registry();
    const controller = new AbortController();
    const result = await accel.infer(schemaSkill, [1, 2], { scale: 3, timeoutMs: 10_000, signal: controller.signal });
    expect(result.output).toEqual([6, 12]);
    await accel.dispose();
  });

  it('strips exactly the call options', () => {
    const signal = new AbortController().signal;
    expect(skillOptionsOf({ endpoint: 'e', signal, timeoutMs: 5, scale: 2 })).toEqual({ scale: 2 });
    expect(skillOptionsOf(undefined)).toEqual({});
  });

  it('describes input, options and output as JSON Schema', () => {
    expect(inputJsonSchema(options)).toMatchObject({ type: 'object', properties: { scale: { type: 'number', description: 'multiplies each result' } }, additionalProperties: false });
    expect(outputJsonSchema(output)).toMatchObject({ type: 'array', items: { type: 'number' } });
    expect(inputJsonSchema(z.instanceof(Float32Array))).toEqual(expect.objectContaining({ $schema: expect.any(String) }));
  });
});

describe('union messages', () => {
  it('says what each branch takes when none got into the value', async () => {
    const accel = await registry();
    await expect(accel.infer(schemaSkill, 'seven' as never)).rejects.toThrow(/expected number, received string — or .*expected array, received string/);
    await accel.dispose();
  });
});
