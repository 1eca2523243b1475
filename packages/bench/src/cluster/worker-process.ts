/**
 * A cluster worker process of `accel bench --cluster`, started by `child_process.fork`: a registry
 * with the cpu backend limited to one intra-op thread (`threads: 1` on the backend and on the
 * registry, so that two such processes fit on two cores) and one MiniLM endpoint, served to the
 * cluster with `startClusterWorker`. The bench starts and pauses the worker between rounds (the
 * model stays loaded) and asks for its CPU time, over the IPC channel.
 */
import { createCpuBackend } from '@accel/backend-cpu';
import { connectToBroker, startClusterWorker, type ClusterWorker } from '@accel/cluster';
import { Accel } from '@accel/core';
import { describeError } from '../describe-error.js';
import { miniLmProfile } from '../profiles/minilm.js';
import { workerSetupVariable, type WorkerCommand, type WorkerReply, type WorkerSetup } from './worker-messages.js';

const send = (reply: WorkerReply) => process.send?.(reply);

async function main(): Promise<void> {
  const setup = JSON.parse(process.env[workerSetupVariable] ?? 'null') as WorkerSetup | null;
  if (setup === null || process.send === undefined) throw new Error(`run by accel bench --cluster through child_process.fork, with ${workerSetupVariable} set`);
  const skill = await miniLmProfile.skill.load();
  const accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [skill], threads: 1 });
  accel.addEndpoint({ id: setup.endpoint, skill, model: setup.model, backend: 'cpu', maxBatchSize: setup.maxBatchSize });
  const [status] = await accel.init(setup.endpoint);
  if (status?.state !== 'ready') throw new Error(status?.error?.message ?? 'the MiniLM endpoint did not load');
  const connection = await connectToBroker(setup.natsUrl, { name: `accel bench worker ${setup.id}` });
  let worker: ClusterWorker | undefined;
  send({ type: 'loaded', isolation: status.isolation, ...(status.threads === undefined ? {} : { threads: status.threads }), replicas: status.replicas, device: status.device ?? 'unknown' });

  const handle = async (command: WorkerCommand): Promise<void> => {
    switch (command.type) {
      case 'start':
        worker ??= await startClusterWorker({ connection, accel, endpoints: [{ id: setup.endpoint, maxInFlight: setup.maxInFlight }], id: setup.id });
        send({ type: 'started', id: worker.identity.id });
        return;
      case 'pause': {
        const answered = worker?.stats().answered ?? 0;
        await worker?.stop();
        worker = undefined;
        send({ type: 'paused', answered });
        return;
      }
      case 'cpu': {
        const usage = process.cpuUsage();
        send({ type: 'cpu', microseconds: usage.user + usage.system });
        return;
      }
      case 'exit':
        await worker?.stop();
        await connection.close();
        await accel.dispose();
        process.exit(0);
    }
  };
  // One command at a time, in the order sent.
  let queue = Promise.resolve();
  process.on('message', (command: WorkerCommand) => {
    queue = queue
      .then(() => handle(command))
      .catch((error: unknown) => {
        send({ type: 'failed', message: describeError(error) });
      });
  });
  // The bench went away: nothing will ask this process to stop.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  // Tell the bench why, then exit (an open connection or loaded model would keep the process alive).
  const reply: WorkerReply = { type: 'failed', message: describeError(error) };
  if (process.send === undefined) throw error;
  process.send(reply, () => process.exit(1));
});
