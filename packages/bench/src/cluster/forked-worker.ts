import { fork, type ChildProcess } from 'node:child_process';
import { workerSetupVariable, type WorkerCommand, type WorkerReply, type WorkerSetup } from './worker-messages.js';

type Loaded = Extract<WorkerReply, { type: 'loaded' }>;

/** How long a worker process may take to load its model and connect, or to answer a command (a pause drains its held jobs). */
const replyTimeoutMs = 120_000;

/**
 * A cluster worker in a process of its own (`child_process.fork` of worker-process.js), driven
 * over IPC: each command waits for its reply; a process that fails or exits rejects what waits.
 */
export class ForkedWorker {
  private readonly waiting: Array<{ type: WorkerReply['type']; resolve(reply: WorkerReply): void; reject(error: Error): void }> = [];
  private failure: Error | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly id: string,
  ) {
    child.on('message', (reply: WorkerReply) => {
      if (reply.type === 'failed') return this.fail(new Error(`worker ${id}: ${reply.message}`));
      const index = this.waiting.findIndex((entry) => entry.type === reply.type);
      if (index >= 0) this.waiting.splice(index, 1)[0]!.resolve(reply);
    });
    child.on('error', (error) => this.fail(error));
    child.on('exit', (code, signal) => this.fail(new Error(`worker process ${id} exited (${signal ?? `code ${code}`})`)));
  }

  /** Forks the worker process; resolves once its endpoint has loaded and it is connected to NATS. */
  static async start(setup: WorkerSetup): Promise<{ worker: ForkedWorker; loaded: Loaded }> {
    const child = fork(new URL('./worker-process.js', import.meta.url), [], {
      env: { ...process.env, [workerSetupVariable]: JSON.stringify(setup) },
      // Not the parent's flags (a test runner's loaders): the worker runs the built script as it is.
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new ForkedWorker(child, setup.id);
    const loaded = (await worker.expect('loaded')) as Loaded;
    return { worker, loaded };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.waiting.splice(0)) entry.reject(error);
  }

  private expect(type: WorkerReply['type']): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.id} did not answer ${type} within ${replyTimeoutMs / 1000} s`)), replyTimeoutMs);
      this.waiting.push({
        type,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private async command(command: WorkerCommand, reply: WorkerReply['type']): Promise<WorkerReply> {
    const answer = this.expect(reply);
    this.child.send(command);
    return answer;
  }

  /** Starts pulling jobs. */
  async resume(): Promise<void> {
    await this.command({ type: 'start' }, 'started');
  }

  /** Stops pulling jobs once its held ones are answered; returns how many it answered since it started. */
  async pause(): Promise<number> {
    return ((await this.command({ type: 'pause' }, 'paused')) as Extract<WorkerReply, { type: 'paused' }>).answered;
  }

  /** The process's CPU time so far (every thread), in microseconds. */
  async cpuMicroseconds(): Promise<number> {
    return ((await this.command({ type: 'cpu' }, 'cpu')) as Extract<WorkerReply, { type: 'cpu' }>).microseconds;
  }

  /** Asks the process to stop and exit; kills it if it has not exited within 10 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.failure === undefined && this.child.connected) this.child.send({ type: 'exit' } satisfies WorkerCommand);
    else this.child.kill('SIGKILL');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
