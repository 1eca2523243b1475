import type { BenchResult, CellResult, GoalResult, SubjectMeasurements, SubjectRole } from './bench-result.js';
import { memoryAddedBytes, memoryRatio } from './memory/memory-probe.js';
import { findRatio } from './ratios.js';
import { formatMegabytes, formatMilliseconds } from './reporters/format-values.js';

/** The backend the issue's goals were set on. */
const goalBackend = 'cpu';

interface GoalDefinition {
  readonly id: string;
  readonly measure: string;
  readonly comparison: '≤' | '≥';
  readonly threshold: number;
  readonly unit: '×' | 'ms';
  /** The measured value and a note with the peer's value in the same run. */
  readonly read: (result: Pick<BenchResult, 'cells' | 'coServing'>) => { measured?: number; note: string };
}

function cell(result: Pick<BenchResult, 'cells'>, profile: string): CellResult | undefined {
  return result.cells.find((candidate) => candidate.profile === profile && candidate.backend === goalBackend && candidate.status === 'measured');
}

function measurementsOf(target: CellResult | undefined, role: SubjectRole): SubjectMeasurements | undefined {
  return target?.subjects.find((subject) => subject.role === role && subject.status === 'measured')?.measurements;
}

/**
 * `2 replicas × 1 intra-op thread` when accel's endpoint in the cell loaded more than one copy
 * (`replicas: 'auto'` does for small models), from its notes; else undefined.
 */
function replicaSetup(target: CellResult | undefined): string | undefined {
  const notes = target?.subjects.find((subject) => subject.role === 'accel')?.notes ?? [];
  return notes.map((note) => /\d+ replicas × [^,;]*/.exec(note)?.[0]).find((match) => match !== undefined);
}

/** `; accel: 2 replicas × 1 intra-op thread` when accel loaded more than one copy, else nothing. */
function replicaNote(target: CellResult | undefined): string {
  const setup = replicaSetup(target);
  return setup === undefined ? '' : `; accel: ${setup}`;
}

const format = (value: number | undefined, digits = 2) => (value === undefined ? 'not measured' : value.toFixed(digits));

function missing(profile: string): string {
  return `no measured ${profile} cell on ${goalBackend} in this run`;
}

/** accel ÷ raw onnxruntime at batch N, with the pipeline's ratio to raw for context. */
function batchGoal(id: string, profile: string, model: string, threshold: number, issuePipeline: string): GoalDefinition {
  return {
    id,
    measure: `${model}, batch 32: accel ÷ raw ORT time`,
    comparison: '≤',
    threshold,
    unit: '×',
    read(result) {
      const target = cell(result, profile);
      if (target === undefined) return { note: missing(profile) };
      const raw = measurementsOf(target, 'onnxruntime')?.batch?.milliseconds.median;
      const pipeline = measurementsOf(target, 'pipeline')?.batch?.milliseconds.median;
      const measured = findRatio(target.ratios, 'batch-time/onnxruntime');
      const pipelineRatio = raw !== undefined && pipeline !== undefined ? pipeline / raw : undefined;
      return { ...(measured === undefined ? {} : { measured }), note: `pipeline ÷ raw: ${format(pipelineRatio)} here (issue: ${issuePipeline})${replicaNote(target)}` };
    },
  };
}

/**
 * A quantized profile's accel throughput ÷ its fp32 profile's accel throughput, in the same run
 * (two cells measured one after the other, not alternating), with the agreement of the outputs.
 */
function quantizedSpeedupGoal(id: string, profile: string, baseline: string, measure: string, threshold: number, rate: (measurements: SubjectMeasurements) => number | undefined, unit: string): GoalDefinition {
  return {
    id,
    measure,
    comparison: '≥',
    threshold,
    unit: '×',
    read(result) {
      const quantized = cell(result, profile);
      const float = cell(result, baseline);
      if (quantized === undefined || float === undefined) return { note: missing(quantized === undefined ? profile : baseline) };
      const quantizedRate = rateOf(quantized, 'accel', rate);
      const floatRate = rateOf(float, 'accel', rate);
      const measured = quantizedRate !== undefined && floatRate !== undefined && floatRate > 0 ? quantizedRate / floatRate : undefined;
      const agreement = quantized.agreement;
      const agreementNote =
        agreement === undefined ? 'agreement not taken' : agreement.status === 'measured' ? `${agreement.measure} with fp32: ${format(agreement.value, 4)} (${agreement.detail ?? ''})` : `agreement failed: ${agreement.reason ?? ''}`;
      const [quantizedSetup, floatSetup] = [replicaSetup(quantized) ?? '1 replica', replicaSetup(float) ?? '1 replica'];
      const setups = quantizedSetup === floatSetup ? '' : `; accel's defaults loaded q8 as ${quantizedSetup}, fp32 as ${floatSetup}`;
      return { ...(measured === undefined ? {} : { measured }), note: `accel q8 ${format(quantizedRate, 1)} ${unit}, fp32 ${format(floatRate, 1)} ${unit}; ${agreementNote}${setups}` };
    },
  };
}

function rateOf(target: CellResult, role: SubjectRole, rate: (measurements: SubjectMeasurements) => number | undefined): number | undefined {
  const measurements = measurementsOf(target, role);
  return measurements === undefined ? undefined : rate(measurements);
}

/** accel ÷ raw onnxruntime on the same quantized file. */
function quantizedOverheadGoal(id: string, profile: string, measure: string, ratio: string): GoalDefinition {
  return {
    id,
    measure,
    comparison: '≤',
    threshold: 1.1,
    unit: '×',
    read(result) {
      const target = cell(result, profile);
      if (target === undefined) return { note: missing(profile) };
      const measured = findRatio(target.ratios, ratio);
      return { ...(measured === undefined ? {} : { measured }), note: `${target.dtype ?? 'fp32'} file for both (onnx/model_quantized.onnx)${replicaNote(target)}` };
    },
  };
}

/**
 * accel ÷ a peer on one ratio of one profile's cell (issue 17 §1b: one request at a time, and
 * loading), with both subjects' values in the note.
 */
function peerGoal(definition: {
  id: string;
  profile: string;
  measure: string;
  ratio: 'latency' | 'load-time';
  peer: 'onnxruntime' | 'pipeline';
  threshold: number;
  note?: string;
}): GoalDefinition {
  const value = (measurements: SubjectMeasurements | undefined) => (definition.ratio === 'latency' ? measurements?.latency?.milliseconds.median : measurements?.loadMs);
  const peerName = definition.peer === 'onnxruntime' ? 'raw ORT' : 'pipeline';
  return {
    id: definition.id,
    measure: definition.measure,
    comparison: '≤',
    threshold: definition.threshold,
    unit: '×',
    read(result) {
      const target = cell(result, definition.profile);
      if (target === undefined) return { note: missing(definition.profile) };
      const measured = findRatio(target.ratios, `${definition.ratio}/${definition.peer}`);
      const peerSubject = target.subjects.find((subject) => subject.role === definition.peer);
      const values = `accel ${formatMilliseconds(value(measurementsOf(target, 'accel')))}, ${peerName} ${formatMilliseconds(value(measurementsOf(target, definition.peer)))}`;
      const why = measured === undefined && peerSubject?.status === 'skipped' ? `; ${peerName} skipped: ${peerSubject.reason ?? ''}` : '';
      return { ...(measured === undefined ? {} : { measured }), note: `${values}${why}${definition.note ? ` (${definition.note})` : ''}` };
    },
  };
}


/** Goal of issue 17 §4 on every profile: accel's peak RSS added ÷ raw ORT's. */
const memoryThreshold = 1.15;

/**
 * One memory goal per cpu cell of the run (issue 17 §4): accel's peak RSS added ÷ raw ORT's, each
 * measured in a fresh process of its own while it loads and answers the same first requests.
 */
function memoryGoals(cells: readonly CellResult[]): GoalDefinition[] {
  const profiles = [...new Set(cells.filter((candidate) => candidate.backend === goalBackend).map((candidate) => candidate.profile))];
  return profiles.map((profile) => ({
    id: `memory-${profile}`,
    measure: `${profile}: peak RSS added, accel ÷ raw ORT (each subject in a process of its own)`,
    comparison: '≤',
    threshold: memoryThreshold,
    unit: '×',
    read(result) {
      const target = result.cells.find((candidate) => candidate.profile === profile && candidate.backend === goalBackend);
      if (target === undefined) return { note: missing(profile) };
      if (target.status !== 'measured') return { note: `${target.status}: ${target.reason ?? ''}` };
      const memory = target.memory;
      if (memory === undefined) return { note: 'memory not probed in this run' };
      const raw = memory.subjects.find((subject) => subject.role === 'onnxruntime');
      const accel = memory.subjects.find((subject) => subject.role === 'accel');
      if (raw === undefined || raw.status !== 'measured') return { note: `raw ORT ${raw?.status ?? 'skipped'}: ${raw?.reason ?? 'no raw ORT peer in this cell'}` };
      if (accel === undefined || accel.status !== 'measured') return { note: `accel ${accel?.status ?? 'not measured'}: ${accel?.reason ?? ''}` };
      const measured = memoryRatio(memory, 'onnxruntime');
      const towers = target.family === 'vision' ? '; images only, so accel opens the vision tower only, like raw' : '';
      const setup = replicaSetup(target);
      const copies = setup === undefined ? '' : `; accel's default loaded ${setup}, a copy of the model in each, raw ORT one`;
      const values = `accel +${formatMegabytes(memoryAddedBytes(memory, 'accel'))}, raw ORT +${formatMegabytes(memoryAddedBytes(memory, 'onnxruntime'))}${towers}${copies}`;
      return { ...(measured === undefined ? {} : { measured }), note: values };
    },
  }));
}

export const goalDefinitions: readonly GoalDefinition[] = [
  batchGoal('bert-tiny-batch', 'bert-tiny', 'bert-tiny', 1.15, '~1.8'),
  batchGoal('minilm-batch', 'minilm', 'MiniLM', 1.1, '~1.2'),
  {
    id: 'minilm-concurrent-vs-naive',
    measure: '64 concurrent single requests, MiniLM: accel throughput ÷ naive Promise.all on the pipeline',
    comparison: '≥',
    threshold: 1.6,
    unit: '×',
    read(result) {
      const target = cell(result, 'minilm');
      if (target === undefined) return { note: missing('minilm') };
      const measured = findRatio(target.ratios, 'concurrent-throughput/pipeline');
      const naive = measurementsOf(target, 'pipeline')?.concurrent?.itemsPerSecond;
      const accel = measurementsOf(target, 'accel')?.concurrent?.itemsPerSecond;
      return { ...(measured === undefined ? {} : { measured }), note: `accel ${format(accel, 0)} items/s, naive ${format(naive, 0)} items/s` };
    },
  },
  {
    id: 'minilm-concurrent-vs-raw-batch',
    measure: '64 concurrent single requests, MiniLM: accel throughput ÷ raw ORT batch-32 throughput',
    comparison: '≥',
    threshold: 0.85,
    unit: '×',
    read(result) {
      const target = cell(result, 'minilm');
      if (target === undefined) return { note: missing('minilm') };
      const measured = findRatio(target.ratios, 'concurrent-vs-batch/onnxruntime');
      const raw = measurementsOf(target, 'onnxruntime')?.batch?.itemsPerSecond;
      return { ...(measured === undefined ? {} : { measured }), note: `raw ORT batch 32: ${format(raw, 0)} items/s` };
    },
  },
  {
    id: 'event-loop-delay',
    measure: 'event-loop max delay during that load (accel)',
    comparison: '≤',
    threshold: 20,
    unit: 'ms',
    read(result) {
      const target = cell(result, 'minilm');
      if (target === undefined) return { note: missing('minilm') };
      const measured = measurementsOf(target, 'accel')?.concurrent?.eventLoopMaxDelayMs;
      const naive = measurementsOf(target, 'pipeline')?.concurrent?.eventLoopMaxDelayMs;
      return { ...(measured === undefined ? {} : { measured }), note: `naive Promise.all: ${format(naive, 0)} ms here (issue: 150–190 ms)` };
    },
  },
  {
    id: 'whisper-window',
    measure: 'whisper-tiny, 30 s window, 32 tokens: accel ÷ pipeline time',
    comparison: '≤',
    threshold: 0.85,
    unit: '×',
    read(result) {
      const target = cell(result, 'whisper-tiny');
      if (target === undefined) return { note: missing('whisper-tiny') };
      const measured = findRatio(target.ratios, 'speech-time/pipeline');
      const tokens = measurementsOf(target, 'accel')?.speech?.newTokens;
      return { ...(measured === undefined ? {} : { measured }), note: `${tokens ?? '?'} tokens asked; accel ÷ raw ORT: ${format(findRatio(target.ratios, 'speech-time/onnxruntime'))}` };
    },
  },
  {
    id: 'clip-image',
    measure: 'CLIP ViT-B/32, batch 1: accel (with preprocessing) ÷ raw ORT',
    comparison: '≤',
    threshold: 1.15,
    unit: '×',
    read(result) {
      const target = cell(result, 'clip');
      if (target === undefined) return { note: missing('clip') };
      const measured = findRatio(target.ratios, 'latency/onnxruntime');
      const raw = measurementsOf(target, 'onnxruntime')?.latency?.milliseconds.median;
      const pipeline = measurementsOf(target, 'pipeline')?.latency?.milliseconds.median;
      const pipelineRatio = raw !== undefined && pipeline !== undefined ? pipeline / raw : undefined;
      const accel = measurementsOf(target, 'accel')?.latency?.milliseconds.median;
      const alone = target.preprocessing;
      const preprocessing =
        alone === undefined
          ? ''
          : alone.status === 'measured' && alone.medianMs !== undefined && raw !== undefined
            ? `; accel ${format(accel, 1)} ms, raw ORT ${format(raw, 1)} ms on prepared pixel values; decoding and preprocessing one image alone (accel's reader, median of ${alone.samples}): ${format(alone.medianMs, 1)} ms, so raw ORT + that = ${format(raw + alone.medianMs, 1)} ms`
            : `; preprocessing alone not measured: ${alone.reason ?? 'no raw ORT time'}`;
      return { ...(measured === undefined ? {} : { measured }), note: `pipeline ÷ raw: ${format(pipelineRatio)} here (issue: ~1.4)${preprocessing}` };
    },
  },
  {
    id: 'gpt2-greedy',
    measure: 'gpt2, greedy generation: accel ÷ raw ORT loop (time per token)',
    comparison: '≤',
    threshold: 1.05,
    unit: '×',
    read(result) {
      const target = cell(result, 'gpt2');
      if (target === undefined) return { note: missing('gpt2') };
      const measured = findRatio(target.ratios, 'token-time/onnxruntime');
      const tokens = measurementsOf(target, 'accel')?.generation?.newTokens;
      return { ...(measured === undefined ? {} : { measured }), note: `${tokens ?? '?'} tokens per request${tokens === 32 ? '' : " (the issue's goal is for 32)"}` };
    },
  },
  {
    id: 'two-models',
    measure: "two models served from one process: each one's throughput ÷ its throughput alone (the lower of the two)",
    comparison: '≥',
    threshold: 0.45,
    unit: '×',
    read(result) {
      const coServing = result.coServing;
      if (coServing === undefined || coServing.status !== 'measured' || coServing.accel === undefined) {
        return { note: coServing?.reason ?? 'not part of this run' };
      }
      const lowest = (sides: CoServingSides) => (sides.length === 0 ? undefined : Math.min(...sides.map((side) => side.fraction)));
      return { measured: lowest(coServing.accel)!, note: `naive (two pipelines): ${format(lowest(coServing.naive ?? []))} here (issue: ~0.27)` };
    },
  },
  // Issue 17 §2: int8 (q8) on the CPU.
  quantizedSpeedupGoal('gpt2-q8-vs-fp32', 'gpt2-q8', 'gpt2', 'gpt2 q8 ÷ fp32 tokens/s (accel, greedy)', 1.8, (measurements) => measurements.generation?.tokensPerSecond, 'tokens/s'),
  quantizedSpeedupGoal('minilm-q8-vs-fp32', 'minilm-q8', 'minilm', 'MiniLM q8 ÷ fp32 items/s (accel, batch 32)', 1.5, (measurements) => measurements.batch?.itemsPerSecond, 'items/s'),
  quantizedOverheadGoal('minilm-q8-batch', 'minilm-q8', 'MiniLM q8, batch 32: accel ÷ raw ORT time', 'batch-time/onnxruntime'),
  quantizedOverheadGoal('gpt2-q8-greedy', 'gpt2-q8', 'gpt2 q8, greedy generation: accel ÷ raw ORT loop (time per token)', 'token-time/onnxruntime'),
  // Issue 17 §1b: a lone request must not pay for machinery built for batches, and loading.
  peerGoal({ id: 'minilm-latency', profile: 'minilm', measure: 'MiniLM, batch 1: accel ÷ raw ORT latency p50', ratio: 'latency', peer: 'onnxruntime', threshold: 1.2 }),
  peerGoal({ id: 'minilm-latency-vs-pipeline', profile: 'minilm', measure: 'MiniLM, batch 1: accel ÷ pipeline latency p50', ratio: 'latency', peer: 'pipeline', threshold: 1 }),
  peerGoal({
    id: 'clip-latency-vs-pipeline',
    profile: 'clip',
    measure: 'CLIP ViT-B/32, batch 1: accel (with preprocessing) ÷ pipeline latency p50',
    ratio: 'latency',
    peer: 'pipeline',
    threshold: 1,
    note: "accel ÷ raw ORT has the stricter goal ≤ 1.15 above, so the issue's ≤ 1.2 is not repeated",
  }),
  // The issue's sentence names MiniLM and CLIP for batch-1 latency and, in the same breath, load time: both get a load goal.
  peerGoal({ id: 'minilm-load', profile: 'minilm', measure: 'MiniLM: load time to the first answer, accel ÷ raw ORT', ratio: 'load-time', peer: 'onnxruntime', threshold: 1.2, note: "raw ORT's load includes loading the tokenizer that prepares its inputs" }),
  peerGoal({ id: 'clip-load', profile: 'clip', measure: 'CLIP ViT-B/32: load time to the first answer, accel ÷ raw ORT', ratio: 'load-time', peer: 'onnxruntime', threshold: 1.2, note: "raw ORT's load includes preprocessing its 4 images before timing" }),
];

type CoServingSides = NonNullable<NonNullable<BenchResult['coServing']>['accel']>;

/** Every goal of the issue with what this run measured, and whether it is met. */
export function evaluateGoals(result: Pick<BenchResult, 'cells' | 'coServing'>): GoalResult[] {
  return [...goalDefinitions, ...memoryGoals(result.cells)].map((definition) => {
    const { measured, note } = definition.read(result);
    const goal = `${definition.comparison} ${definition.threshold}${definition.unit === 'ms' ? ' ms' : ''}`;
    const base = { id: definition.id, measure: definition.measure, goal, threshold: definition.threshold, unit: definition.unit };
    if (measured === undefined) return { ...base, status: 'not measured', note };
    const met = definition.comparison === '≤' ? measured <= definition.threshold : measured >= definition.threshold;
    return { ...base, measured, status: met ? 'met' : 'not met', note };
  });
}

/**
 * A goal's measured value for reports: `7.4 ms`, `1.44×`; with a third decimal when two would
 * print the threshold itself (1.052 against ≤ 1.05 reads `1.052×`, not a puzzling `1.05×`).
 */
export function formatGoalMeasured(goal: GoalResult): string {
  if (goal.measured === undefined) return '–';
  if (goal.unit === 'ms') return `${goal.measured.toFixed(1)} ms`;
  const digits = goal.measured.toFixed(2) === goal.threshold.toFixed(2) ? 3 : 2;
  return `${goal.measured.toFixed(digits)}×`;
}

/** A goal's min – max over the runs of `--repeat`, in its unit (`1.02× – 1.19×`); `–` without. */
export function formatGoalSpread(goal: GoalResult): string {
  const spread = goal.spread;
  if (spread === undefined) return '–';
  const format = (value: number) => formatGoalMeasured({ ...goal, measured: value });
  const partly = spread.measuredIn < spread.runs ? ` (${spread.measuredIn} of ${spread.runs} runs)` : '';
  return `${format(spread.min)} – ${format(spread.max)}${partly}`;
}
