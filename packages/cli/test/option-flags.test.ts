import { InvalidInputError } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kebabCase, optionFlagsOf, optionsFromFlags, parseArgsTableOf } from '../src/option-flags.js';

const options = z.strictObject({
  maxNewTokens: z.int().positive().optional().describe('most tokens to generate'),
  temperature: z.number().min(0).max(2).optional().describe('sampling temperature'),
  stop: z.array(z.string()).readonly().optional().describe('stop before this text'),
  task: z.enum(['transcribe', 'translate']).optional().describe('the task'),
  returnTimestamps: z.boolean().optional().describe('times with the text'),
  weights: z.array(z.number()).optional(),
  layout: z.object({ rows: z.int() }).optional(),
});

describe('option flags from a skill schema', () => {
  const flags = optionFlagsOf(options);

  it('makes one flag per field, kebab-cased, with its kind and help', () => {
    expect(flags.map((flag) => [flag.flag, flag.kind])).toEqual([
      ['max-new-tokens', 'number'],
      ['temperature', 'number'],
      ['stop', 'strings'],
      ['task', 'string'],
      ['return-timestamps', 'boolean'],
      ['weights', 'numbers'],
      ['layout', 'json'],
    ]);
    expect(flags.find((flag) => flag.field === 'temperature')?.description).toBe('sampling temperature (0 to 2)');
    expect(flags.find((flag) => flag.field === 'maxNewTokens')?.description).toBe('most tokens to generate (> 0)');
    expect(flags.find((flag) => flag.field === 'task')?.description).toBe('the task (transcribe, translate)');
    expect(parseArgsTableOf(flags)).toMatchObject({ stop: { type: 'string', multiple: true }, 'return-timestamps': { type: 'boolean' }, 'max-new-tokens': { type: 'string' } });
    expect(kebabCase('repetitionPenalty')).toBe('repetition-penalty');
  });

  it('reads values into the options object the schema then validates', () => {
    const values = { 'max-new-tokens': '8', stop: ['\n', 'END'], 'return-timestamps': true, weights: ['0.5,1', '2'], layout: '{"rows":2}', task: 'translate' };
    const read = optionsFromFlags(flags, values);
    expect(read).toEqual({ maxNewTokens: 8, stop: ['\n', 'END'], returnTimestamps: true, weights: [0.5, 1, 2], layout: { rows: 2 }, task: 'translate' });
    expect(options.safeParse(read).success).toBe(true);
  });

  it('refuses a value that is not a number, or not JSON, with the flag in the message', () => {
    expect(() => optionsFromFlags(flags, { temperature: 'hot' })).toThrow(InvalidInputError);
    expect(() => optionsFromFlags(flags, { temperature: 'hot' })).toThrow('--temperature must be a number, got hot');
    expect(() => optionsFromFlags(flags, { layout: '{rows' })).toThrow('--layout takes JSON');
  });

  it('turns a boolean option off with --no-<flag>, and refuses both at once', () => {
    expect(parseArgsTableOf(flags)['no-return-timestamps']).toEqual({ type: 'boolean' });
    expect(optionsFromFlags(flags, { 'no-return-timestamps': true })).toEqual({ returnTimestamps: false });
    expect(() => optionsFromFlags(flags, { 'return-timestamps': true, 'no-return-timestamps': true })).toThrow('give --return-timestamps or --no-return-timestamps, not both');
  });

  it('has no flags for a skill without options schema', () => {
    expect(optionFlagsOf(undefined)).toEqual([]);
  });
});
