import { main } from '../src/index.js';

/** Runs the CLI's `main` in this process and collects what it printed. */
export async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const written: string[] = [];
  const code = await main(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text), write: (text) => written.push(text) });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), written };
}
