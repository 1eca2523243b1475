import { describeReplicas } from '../subjects/accel-subject.js';
import type { ConcurrentSide, FirstTokenSide, ServerBenchResult } from '../server/server-bench-result.js';
import { formatServerGoalMeasured } from '../server/server-goals.js';
import type { TableRenderer } from './console-summary.js';
import { formatMilliseconds, formatRate, formatRatio, reportHeaderLines } from './format-values.js';
import { writeReportFiles } from './write-reports.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n');
}

const goalStatus = (status: string) => (status === 'not met' ? '**not met**' : status);

function concurrentRow(side: ConcurrentSide, ratio: string): string[] {
  const { accounting } = side;
  return [
    side.label,
    formatRate(side.itemsPerSecond, 'items/s'),
    ratio,
    `${formatMilliseconds(side.burstMilliseconds.median)} / ${formatMilliseconds(side.burstMilliseconds.p95)} (${side.burstMilliseconds.samples})`,
    `${formatMilliseconds(side.latency.p50)} / ${formatMilliseconds(side.latency.p99)} (${side.latency.samples})`,
    formatMilliseconds(side.cpuMillisecondsPerRequest),
    `${formatMilliseconds(side.mainLoopMillisecondsPerRequest)}${side.clientLoopMillisecondsPerRequest === undefined ? '' : ` / ${formatMilliseconds(side.clientLoopMillisecondsPerRequest)}`}`,
    side.meanBatchSize === undefined ? '–' : side.meanBatchSize.toFixed(1),
    String(accounting.sent),
    String(accounting.answered),
    String(accounting.errors),
    String(accounting.lost),
  ];
}

function embeddingsSection(result: ServerBenchResult): string[] {
  const { embeddings } = result;
  const heading = `## ${embeddings.model} on ${embeddings.backend}: ${embeddings.requests ?? 64} concurrent single requests`;
  if (embeddings.status !== 'measured' || embeddings.inProcess === undefined || embeddings.http === undefined) {
    return [heading, '', `${embeddings.status}: ${embeddings.reason ?? ''}`, ''];
  }
  const examples = [...embeddings.inProcess.accounting.examples, ...embeddings.http.accounting.examples];
  return [
    heading,
    '',
    `${embeddings.description}. HTTP route: \`${embeddings.route}\`${embeddings.routeNote ? ` (${embeddings.routeNote})` : ''}. Endpoint: ${(embeddings.notes ?? []).join('; ')}${embeddings.inProcessBatchSizes ? `; batches formed for the last in-process burst: ${embeddings.inProcessBatchSizes.join(', ')}` : ''}.`,
    '',
    table(
      ['client', 'throughput', '÷ in-process', 'burst p50 / p95 (bursts)', 'request latency p50 / p99 (requests)', 'process CPU per request', 'event loop busy per request: main / clients', 'mean batch per request', 'sent', 'answered', 'errors', 'lost'],
      [concurrentRow(embeddings.inProcess, '–'), concurrentRow(embeddings.http, formatRatio(embeddings.throughputRatio))],
    ),
    '',
    'Process CPU per request: CPU time of every thread of the process (event loop, the HTTP clients\' thread, inference) while that side ran, ÷ its requests, warm-up included. Event loop busy per request: how long the main thread\'s event loop (accel\'s scheduling; for HTTP also the server) and the HTTP clients\' thread were busy, ÷ requests. Mean batch per request: the size of the batch each request ran in, averaged (in-process from provenance, HTTP from the server\'s `accel_batch_size` histogram). Sent, answered, errors and lost count every burst, warm-up included; an answer is an error unless it is a 200 whose vector equals the in-process one for its input (within 1e-4); a lost request got no answer (a dropped connection, or none within 120 s).',
    ...(examples.length > 0 ? ['', 'First problems:', '', ...examples.map((line) => `- ${line}`)] : []),
    '',
  ];
}

const firstTokenRow = (side: FirstTokenSide, overhead: string) => [
  side.label,
  formatMilliseconds(side.milliseconds.median),
  formatMilliseconds(side.milliseconds.p95),
  String(side.milliseconds.samples),
  String(side.withoutText),
  overhead,
];

function streamingSection(result: ServerBenchResult): string[] {
  const { streaming } = result;
  const heading = `## ${streaming.model} on ${streaming.backend}: time to first token, streamed`;
  if (streaming.status !== 'measured' || streaming.inProcess === undefined || streaming.http === undefined) {
    return [heading, '', `${streaming.status}: ${streaming.reason ?? ''}`, ''];
  }
  const overhead = streaming.overheadMilliseconds === undefined ? '–' : `${streaming.overheadMilliseconds >= 0 ? '+' : ''}${streaming.overheadMilliseconds.toFixed(2)} ms`;
  return [
    heading,
    '',
    `${streaming.description}; ${streaming.tokens} tokens asked per request${streaming.pairs === undefined ? '' : `; ${streaming.pairs} pairs`}. HTTP route: \`${streaming.route}\` with \`stream: true\`.`,
    '',
    table(['client', 'first token p50', 'p95', 'samples', 'ended without text', 'overhead: median of paired HTTP − in-process'], [firstTokenRow(streaming.inProcess, '–'), firstTokenRow(streaming.http, overhead)]),
    '',
  ];
}

/** The Markdown report of `accel bench --server`: machine, goals (met / not met / skipped), the concurrent-singles comparison, time to first token. */
export function renderServerMarkdownReport(result: ServerBenchResult): string {
  return [
    ...reportHeaderLines({ ...result, title: `accel bench --server (${result.mode}${result.modelSize === 'tiny' ? ', tiny models' : ''})` }),
    `- models: random weights ${result.modelSize === 'tiny' ? 'at tiny size' : 'at real size'} from @accel/model-forge; in-process and HTTP take turns in alternating rounds against one endpoint; the server (\`@accel/server\`, 127.0.0.1, port 0) runs in the bench process, its HTTP clients in a worker thread of that process`,
    `- accel endpoints: ${describeReplicas(result.replicas)}`,
    '',
    '## Goals (issue 14)',
    '',
    table(
      ['measure', 'goal', 'measured', 'status', 'same run'],
      result.goals.map((goal) => [goal.measure, goal.goal, formatServerGoalMeasured(goal), goalStatus(goal.status), goal.note]),
    ),
    '',
    'A comparison that did not run is **skipped**, never met.',
    '',
    ...embeddingsSection(result),
    ...streamingSection(result),
  ].join('\n');
}

/** A few lines for the terminal: the goals and where the reports are. */
export function renderServerConsoleSummary(result: ServerBenchResult, files: readonly string[], renderTable: TableRenderer): string {
  const goals = renderTable(
    ['goal', 'target', 'measured', 'status', 'note'],
    result.goals.map((goal) => [goal.id, goal.goal, formatServerGoalMeasured(goal), goal.status, goal.note]),
  );
  return [
    `accel bench --server ${result.mode}: ${result.durationSeconds.toFixed(0)} s on ${result.machine.cpu}, ${result.machine.cores} cores (load average ${result.machine.loadAverageStart.toFixed(1)} → ${result.machine.loadAverageEnd.toFixed(1)})`,
    '',
    goals,
    '',
    ...files.map((file) => `wrote ${file}`),
  ].join('\n');
}

/** The whole result as JSON. */
export function renderServerJsonReport(result: ServerBenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Writes `bench.json` and `bench.md` of `accel bench --server` into the folder; returns their paths. */
export async function writeServerReports(result: ServerBenchResult, directory: string): Promise<string[]> {
  return writeReportFiles(result, directory, [
    ['bench.json', renderServerJsonReport],
    ['bench.md', renderServerMarkdownReport],
  ]);
}
