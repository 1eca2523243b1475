import { AccelError } from '@accel/core';

/** One line that says what went wrong. */
export function describeError(error: unknown): string {
  if (AccelError.isInstance(error)) return error.toLine();
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
