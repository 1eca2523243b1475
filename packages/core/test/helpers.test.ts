import { describe, expect, it } from 'vitest';
import {
  AccelError,
  InvalidInputError,
  QueueFullError,
} from '../src/index.js';

describe('typed errors', () => {
  it('carry codes and fields, and are recognised across package copies', () => {
    const error = new QueueFullError({ endpoint: 'bert@cpu', capacity: 8 });
    expect(error).toMatchObject({ code: 'ACCEL_QUEUE_FULL', endpoint: 'bert@cpu', capacity: 8, name: 'QueueFullError' });
    expect(error.toLine()).toBe('ACCEL_QUEUE_FULL: queue of endpoint bert@cpu is full (8 requests)');
    const fromAnotherCopy = { [Symbol.for('accel.error')]: true, [Symbol.for('accel.error.queue-full')]: true };
    expect(QueueFullError.isInstance(fromAnotherCopy)).toBe(true);
    expect(AccelError.isInstance(fromAnotherCopy)).toBe(true);
    expect(InvalidInputError.isInstance(error)).toBe(false);
    expect(AccelError.isInstance(new Error('plain'))).toBe(false);
  });
});

