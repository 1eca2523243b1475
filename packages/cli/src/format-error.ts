import { AccelError } from '@accel/core';

/** The error's stable code: accel's (`ACCEL_…`), else Node's (`ENOENT`, `ERR_…`), else the error's class name. */
function codeOf(error: unknown): string {
  if (AccelError.isInstance(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.name : 'Error';
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * How the CLI reports an error on stderr: one line `error: CODE: message`, or with `--json` one
 * JSON object `{"error":{"code","message"}}`; `--verbose` adds the stack.
 */
export function formatError(error: unknown, { json, verbose }: { json: boolean; verbose: boolean }): string {
  const code = codeOf(error);
  const message = firstLine(error);
  const stack = verbose && error instanceof Error ? error.stack : undefined;
  if (json) return JSON.stringify({ error: { code, message, ...(stack ? { stack } : {}) } });
  return stack ? `error: ${code}: ${message}\n${stack}` : `error: ${code}: ${message}`;
}
