import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The nats-server binary on PATH, in /usr/sbin (Debian's package) or /usr/local/sbin; undefined when there is none. */
export function findNatsServer(): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  return directories.map((directory) => join(directory, 'nats-server')).find((candidate) => existsSync(candidate));
}

/** A nats-server with JetStream that the bench started, on a loopback port the server chose. */
export interface NatsBroker {
  readonly url: string;
  /** From the server's start-up log, e.g. `2.9.10`. */
  readonly version: string;
  readonly pid: number;
  /** The server process's CPU time so far (user + system) in milliseconds, from /proc; undefined where there is no /proc. */
  cpuMilliseconds(): number | undefined;
  /** Kills the server and removes its store folder. */
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc's CPU times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process, in milliseconds (fields 14 and 15 of /proc/<pid>/stat, after the command name). */
function processCpuMilliseconds(pid: number, ticks: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
  } catch {
    return undefined;
  }
}

/**
 * CPU time every process of the machine has spent so far (user, nice, system, irq, softirq and
 * steal of /proc/stat's first line), in milliseconds; undefined where there is no /proc.
 */
export function machineCpuMilliseconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, index) => sum + (fields[index] ?? 0), 0);
    return (busy * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
const ticksPerSecond = () => (ticks ??= clockTicks());

/**
 * Starts `nats-server -js` on 127.0.0.1 with `-p -1` (the server picks a free port and logs it:
 * no race with another process taking a port chosen beforehand) and a fresh store folder.
 */
export async function startNatsBroker(binary: string): Promise<NatsBroker> {
  const store = mkdtempSync(join(tmpdir(), 'accel-bench-nats-'));
  const child: ChildProcess = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server was not ready after 10 s: ${log.slice(-500)}`)), 10_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        const listening = /Listening for client connections on [^\s:]+:(\d+)/.exec(log);
        if (listening && log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}: ${log.slice(-500)}`));
      });
    });
    // Nothing reads the log any more: keep the pipes from filling up.
    child.stdout!.removeAllListeners('data').resume();
    child.stderr!.removeAllListeners('data').resume();
    const pid = child.pid!;
    return {
      url: `nats://127.0.0.1:${port}`,
      version: /Version:\s+(\S+)/.exec(log)?.[1] ?? 'unknown',
      pid,
      cpuMilliseconds: () => processCpuMilliseconds(pid, ticksPerSecond()),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(store, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(store, { recursive: true, force: true });
    throw error;
  }
}
