import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';

/** The nats-server binary on PATH or in /usr/sbin (Debian's package), or undefined. */
export function findNatsServer(): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return directories.map((directory) => join(directory, 'nats-server')).find((candidate) => candidate !== 'nats-server' && existsSync(candidate));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** The JetStream store folder, kept across `kill`/`restart`. */
  readonly store: string;
  /** Kills the server (default SIGKILL) and waits for it to exit; the store folder stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store folder (after `kill`). */
  restart(): Promise<void>;
  /** Kills the server and removes its store folder. */
  stop(): Promise<void>;
}

function spawnServer(binary: string, port: number, store: string): Promise<ChildProcess> {
  const child: ChildProcess = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server not ready after 10 s:\n${log}`)), 10_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
  });
}

/** Starts `nats-server -js` on a free loopback port with a fresh store folder; `stop` kills it and removes the folder. */
export async function startNatsServer(binary: string): Promise<NatsServer> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'accel-nats-'));
  let child = await spawnServer(binary, port, store);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    store,
    kill,
    async restart() {
      await kill();
      child = await spawnServer(binary, port, store);
    },
    async stop() {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/**
 * `describe(title, body)` when nats-server is installed; otherwise the suite is reported skipped,
 * with the reason in its name: never passed.
 */
export function natsSuite(title: string, body: () => void, binary: string | undefined = findNatsServer()): void {
  if (binary === undefined) describe.skip(`${title}: skipped, nats-server not installed (.ci/run installs it)`, body);
  else describe(title, body);
}
