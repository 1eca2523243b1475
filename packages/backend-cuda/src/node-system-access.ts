import { execFile } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import type { CommandOutcome, SystemAccess } from './system-access.js';

// nvidia-smi can hang for a long time when a GPU is in a bad state; the probe must return.
const commandTimeoutMs = 15_000;

function runCommand(program: string, args: readonly string[]): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    execFile(program, [...args], { encoding: 'utf8', timeout: commandTimeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ found: true, exitCode: 0, stdout, stderr });
        return;
      }
      const code: unknown = error.code;
      if (code === 'ENOENT') {
        resolve({ found: false, exitCode: null, stdout: '', stderr: '' });
        return;
      }
      resolve({ found: true, exitCode: typeof code === 'number' ? code : null, stdout, stderr: stderr || error.message });
    });
  });
}

/** The real machine, as the CUDA probe sees it. */
export const nodeSystemAccess: SystemAccess = {
  platform: process.platform,
  arch: process.arch,
  environment: () => process.env,
  runCommand,
  readTextFile: (path) => readFile(path, 'utf8').catch(() => undefined),
  listFolder: (path) => readdir(path).catch(() => []),
  pathExists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
};
