import type { ClusterBenchResult, ClusterLatencyResult, LatencySide, ThroughputSide } from '../cluster/cluster-bench-result.js';
import { formatServerGoalMeasured } from '../server/server-goals.js';
import type { TableRenderer } from './console-summary.js';
import { formatMilliseconds, formatRate, formatRatio, reportHeaderLines } from './format-values.js';
import { writeReportFiles } from './write-reports.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n');
}

const goalStatus = (status: string) => (status === 'not met' ? '**not met**' : status);
const signed = (value: number | undefined) => (value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`);

function throughputRow(side: ThroughputSide, ratio: string): string[] {
  const { accounting, cpuMillisecondsPerRequest: cpu } = side;
  const shares = Object.entries(side.answersByWorker)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([worker, count]) => `${worker} ${count}`)
    .join(', ');
  return [
    side.label,
    formatRate(side.itemsPerSecond, 'items/s'),
    ratio,
    side.rounds.map((value) => value.toFixed(0)).join(', '),
    side.otherProcessesCores === undefined ? '–' : side.otherProcessesCores.map((value) => value.toFixed(2)).join(', '),
    `${formatMilliseconds(side.latency.p50)} / ${formatMilliseconds(side.latency.p99)} (${side.latency.samples})`,
    `${formatMilliseconds(cpu.gateway)} / ${formatMilliseconds(cpu.broker)} / ${formatMilliseconds(cpu.workers)}`,
    shares || '–',
    String(accounting.sent),
    String(accounting.answered),
    String(accounting.errors),
    String(accounting.lost),
  ];
}

function throughputSection(result: ClusterBenchResult): string[] {
  const { throughput } = result;
  const heading = `## ${throughput.model} on ${throughput.backend}: 1 worker process against 2`;
  if (throughput.status !== 'measured' || throughput.one === undefined || throughput.two === undefined) return [heading, '', `${throughput.status}: ${throughput.reason ?? ''}`, ''];
  const examples = [...throughput.one.accounting.examples, ...throughput.two.accounting.examples];
  return [
    heading,
    '',
    `${throughput.description}. ${(throughput.notes ?? []).join('; ')}.`,
    '',
    table(
      ['workers', 'throughput (median of rounds)', '÷ 1 worker', 'items/s per round', 'other processes\' CPU per round (cores)', 'request latency p50 / p99 (requests)', 'CPU per request: gateway / broker / workers', 'answers per worker', 'sent', 'answered', 'errors', 'lost'],
      [throughputRow(throughput.one, '–'), throughputRow(throughput.two, formatRatio(throughput.ratio))],
    ),
    '',
    `The load is meant to saturate the workers: ${throughput.concurrency} requests are outstanding at every moment of a round, more than two workers hold at once (2 × their in-flight limit), so a worker that frees a slot finds jobs waiting in the stream as long as the client and the broker keep up (the CPU they spend per request is in the table); request latency therefore includes the time a job waited in the stream. CPU per request: the CPU time each process spent during the counted windows (gateway: the bench process, which runs the cluster client and the load; broker: nats-server, from /proc; workers: both worker processes, every thread), ÷ the requests answered in them. Other processes' CPU: what the machine spent outside the bench's own processes during each counted window (/proc/stat), in cores — other work competing for the cores in that round. Answers per worker: which worker's provenance each counted answer named. Sent, answered, errors and lost count every request of the side (warm-up, ramps and the drain at the end of each round included); an answer is an error unless its vector equals the in-process one for its input (within 1e-4); a lost request got no answer within 60 s.`,
    ...(examples.length > 0 ? ['', 'First problems:', '', ...examples.map((line) => `- ${line}`)] : []),
    '',
  ];
}

const latencyRow = (side: LatencySide, difference: string) => [side.label, formatMilliseconds(side.p50), formatMilliseconds(side.p90), String(side.samples), difference];

function latencySection(heading: string, latency: ClusterLatencyResult): string[] {
  if (latency.status !== 'measured' || latency.inProcess === undefined || latency.remote === undefined) return [heading, '', `${latency.status}: ${latency.reason ?? ''}`, ''];
  const { accounting } = latency;
  return [
    heading,
    '',
    `${latency.description}; ${latency.pairs} pairs.`,
    '',
    table(
      ['call', 'p50', 'p90', 'samples', 'overhead: p50 / p90 difference'],
      [latencyRow(latency.inProcess, '–'), latencyRow(latency.remote, `${signed(latency.p50Difference)} / ${signed(latency.p90Difference)}`)],
    ),
    '',
    `Median of the paired differences (remote − in-process, each pair back to back): **${signed(latency.pairedMedianDifference)}**.${accounting ? ` Remote requests: ${accounting.sent} sent, ${accounting.answered} answered, ${accounting.errors} errors, ${accounting.lost} lost.` : ''}`,
    ...(accounting && accounting.examples.length > 0 ? ['', 'First problems:', '', ...accounting.examples.map((line) => `- ${line}`)] : []),
    '',
  ];
}

/** The Markdown report of `accel bench --cluster`: machine, goals, 1 against 2 workers, batch-of-1 overhead. */
export function renderClusterMarkdownReport(result: ClusterBenchResult): string {
  const { machine } = result;
  return [
    ...reportHeaderLines({ ...result, title: `accel bench --cluster (${result.mode}${result.modelSize === 'tiny' ? ', tiny models' : ''})` }),
    `- setup: one machine, loopback only. nats-server with JetStream (a fresh store folder, one node, file storage), 2 worker processes (\`child_process.fork\`, each \`startClusterWorker\` with its own registry), the cluster client in the bench process; all of them share the ${machine.cores} cores, so the broker and the gateway take CPU from the workers. Models: random weights ${result.modelSize === 'tiny' ? 'at tiny size' : 'at real size'} from @accel/model-forge.`,
    ...(result.payloadBytes ? [`- message sizes (structured clone): one request's input and options ${result.payloadBytes.request} B, one answer (the vector and its provenance) ${result.payloadBytes.answer} B`] : []),
    ...(result.skipped ? ['', `**Skipped:** ${result.skipped}. No number was measured.`] : []),
    '',
    '## Goals (issue 15)',
    '',
    table(
      ['measure', 'goal', 'measured', 'status', 'same run'],
      result.goals.map((goal) => [goal.measure, goal.goal, formatServerGoalMeasured(goal), goalStatus(goal.status), goal.note]),
    ),
    '',
    'A comparison that did not run is **skipped**, never met. The gateway + broker overhead has no goal: it is reported below.',
    '',
    ...throughputSection(result),
    ...latencySection(`## ${result.latency.model}: batch-of-1 latency, gateway + broker overhead`, result.latency),
    ...latencySection(`## ${result.httpLatency.model}: batch-of-1 latency through the HTTP gateway`, result.httpLatency),
  ].join('\n');
}

/** A few lines for the terminal: the goals, the overheads and where the reports are. */
export function renderClusterConsoleSummary(result: ClusterBenchResult, files: readonly string[], renderTable: TableRenderer): string {
  const goals = renderTable(
    ['goal', 'target', 'measured', 'status', 'note'],
    result.goals.map((goal) => [goal.id, goal.goal, formatServerGoalMeasured(goal), goal.status, goal.note]),
  );
  const overhead = (name: string, latency: ClusterLatencyResult) =>
    latency.status === 'measured'
      ? `${name}: p50 ${formatMilliseconds(latency.remote?.p50)} against ${formatMilliseconds(latency.inProcess?.p50)} in-process (${signed(latency.p50Difference)}; p90 ${signed(latency.p90Difference)}; paired median ${signed(latency.pairedMedianDifference)})`
      : `${name}: ${latency.status}: ${latency.reason ?? ''}`;
  return [
    `accel bench --cluster ${result.mode}: ${result.durationSeconds.toFixed(0)} s on ${result.machine.cpu}, ${result.machine.cores} cores (load average ${result.machine.loadAverageStart.toFixed(1)} → ${result.machine.loadAverageEnd.toFixed(1)})`,
    ...(result.skipped ? [`skipped: ${result.skipped}`] : []),
    '',
    goals,
    '',
    overhead('batch-of-1 through the cluster', result.latency),
    overhead('batch-of-1 through the HTTP gateway', result.httpLatency),
    '',
    ...files.map((file) => `wrote ${file}`),
  ].join('\n');
}

/** The whole result as JSON. */
export function renderClusterJsonReport(result: ClusterBenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Writes `bench.json` and `bench.md` of `accel bench --cluster` into the folder; returns their paths. */
export async function writeClusterReports(result: ClusterBenchResult, directory: string): Promise<string[]> {
  return writeReportFiles(result, directory, [
    ['bench.json', renderClusterJsonReport],
    ['bench.md', renderClusterMarkdownReport],
  ]);
}
