import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '@accel/core';
import type { FlagValues } from './flag-values.js';

/** `--input-file PATH` (repeatable; `-` is stdin): one text input per file, for input too long for an argument. */
export const inputFileFlags = { 'input-file': { type: 'string', multiple: true } } as const;

/** The `--input-file` paths, in order; empty when the flag is absent. */
export function inputFilePaths(flags: FlagValues): string[] {
  const paths = flags['input-file'];
  return Array.isArray(paths) ? paths.map(String) : [];
}

/** `-` for stdin, else the path: how an input file is named in the output. */
export function describeInputFile(path: string): string {
  return path === '-' ? '(stdin)' : path;
}

/** A text as the output names it: quoted, and cut after 60 characters with its length when longer. */
export function describeText(text: string): string {
  return text.length <= 80 ? JSON.stringify(text) : `${JSON.stringify(`${text.slice(0, 60)}…`)} (${text.length} characters)`;
}

/** Drops one line ending at the end (what `echo` and editors add), nothing else. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads each `--input-file` as one text (UTF-8, one final newline dropped); `-` reads stdin, once.
 * A file that cannot be read is an `InvalidInputError` naming it.
 */
export async function readInputFiles(paths: readonly string[], readStdin: () => Promise<string>): Promise<string[]> {
  if (paths.filter((path) => path === '-').length > 1) throw new InvalidInputError({ reason: '--input-file - (stdin) can be given once' });
  const texts: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      texts.push(withoutFinalNewline(await readStdin()));
      continue;
    }
    try {
      texts.push(withoutFinalNewline(await readFile(path, 'utf8')));
    } catch (error) {
      const reason = (error as { code?: string }).code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
      throw new InvalidInputError({ reason: `cannot read --input-file ${path}: ${reason}`, cause: error });
    }
  }
  return texts;
}

/** Reads all of this process's stdin as UTF-8. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
