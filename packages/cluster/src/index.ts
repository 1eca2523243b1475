export { createClusterClient, type ClusterCallOptions, type ClusterClient, type ClusterClientOptions, type ClusterClientStats, type ClusterInferResult, type ClusterProvenance } from './client.js';
export { connectToBroker, type ConnectBrokerOptions } from './connect.js';
export { ensureJobConsumer, ensureJobStream } from './jobs-stream.js';
export {
  assertFits,
  consumerName,
  decodeJob,
  decodeResult,
  encode,
  jobStream,
  jobSubject,
  jobSubjectPrefix,
  protocolVersion,
  type JobMessage,
  type ResultMessage,
  type WorkerIdentity,
} from './protocol.js';
export { startClusterWorker, type ClusterWorker, type ClusterWorkerOptions, type ClusterWorkerEndpoint, type ClusterWorkerStats } from './worker.js';
