import type { RatioResult, SubjectMeasurements, SubjectResult, SubjectRole } from './bench-result.js';

type Peer = Exclude<SubjectRole, 'accel'>;

/** How one ratio is read off two subjects' measurements; undefined when either lacks the measure. */
interface RatioDefinition {
  readonly id: string;
  readonly label: (peer: Peer) => string;
  readonly better: 'lower' | 'higher';
  readonly peers: readonly Peer[];
  readonly accel: (measurements: SubjectMeasurements) => number | undefined;
  readonly peer: (measurements: SubjectMeasurements) => number | undefined;
}

const peerNames: Record<Peer, string> = { onnxruntime: 'raw onnxruntime', pipeline: 'transformers.js pipeline' };

const perToken = (measurements: SubjectMeasurements) =>
  measurements.generation && measurements.generation.newTokens > 0 ? measurements.generation.milliseconds.median / measurements.generation.newTokens : undefined;

const definitions: readonly RatioDefinition[] = [
  {
    id: 'batch-time',
    label: (peer) => `batch time, accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: (measurements) => measurements.batch?.milliseconds.median,
    peer: (measurements) => measurements.batch?.milliseconds.median,
  },
  {
    id: 'latency',
    label: (peer) => `batch-1 latency p50, accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: (measurements) => measurements.latency?.milliseconds.median,
    peer: (measurements) => measurements.latency?.milliseconds.median,
  },
  {
    id: 'concurrent-throughput',
    label: () => 'concurrent singles throughput, accel ÷ naive Promise.all on the pipeline',
    better: 'higher',
    peers: ['pipeline'],
    accel: (measurements) => measurements.concurrent?.itemsPerSecond,
    peer: (measurements) => measurements.concurrent?.itemsPerSecond,
  },
  {
    id: 'concurrent-vs-batch',
    label: () => 'concurrent singles throughput, accel ÷ raw onnxruntime batch throughput',
    better: 'higher',
    peers: ['onnxruntime'],
    accel: (measurements) => measurements.concurrent?.itemsPerSecond,
    peer: (measurements) => measurements.batch?.itemsPerSecond,
  },
  {
    id: 'token-time',
    label: (peer) => `time per generated token, accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: perToken,
    peer: perToken,
  },
  {
    id: 'first-token',
    label: (peer) => `time to first token, accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: (measurements) => measurements.generation?.firstTokenMilliseconds.median,
    peer: (measurements) => measurements.generation?.firstTokenMilliseconds.median,
  },
  {
    id: 'speech-time',
    label: (peer) => `audio window time, accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: (measurements) => measurements.speech?.milliseconds.median,
    peer: (measurements) => measurements.speech?.milliseconds.median,
  },
  {
    id: 'load-time',
    label: (peer) => `load time (to the first answer), accel ÷ ${peerNames[peer]}`,
    better: 'lower',
    peers: ['onnxruntime', 'pipeline'],
    accel: (measurements) => measurements.loadMs,
    peer: (measurements) => measurements.loadMs,
  },
];

/**
 * Every ratio of accel's measurements to each measured peer's, in the same run. Memory has no
 * ratio: subjects share one process, so a later one's RSS growth reuses what earlier ones freed.
 */
export function computeRatios(subjects: readonly SubjectResult[]): RatioResult[] {
  const measured = (role: SubjectRole) => subjects.find((subject) => subject.role === role && subject.status === 'measured');
  const accel = measured('accel');
  if (accel === undefined) return [];
  const ratios: RatioResult[] = [];
  for (const definition of definitions) {
    for (const peerRole of definition.peers) {
      const peer = measured(peerRole);
      if (peer === undefined) continue;
      const numerator = definition.accel(accel.measurements);
      const denominator = definition.peer(peer.measurements);
      if (numerator === undefined || denominator === undefined || !(denominator > 0)) continue;
      ratios.push({ id: `${definition.id}/${peerRole}`, label: definition.label(peerRole), value: numerator / denominator, better: definition.better, peer: peerRole });
    }
  }
  return ratios;
}

/** A ratio of a cell by id (`batch-time/onnxruntime`). */
export function findRatio(ratios: readonly RatioResult[], id: string): number | undefined {
  return ratios.find((ratio) => ratio.id === id)?.value;
}
