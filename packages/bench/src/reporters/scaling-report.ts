import type { ScalingBenchResult, ScalingPoint, ScalingSweep } from '../scaling/scaling-result.js';
import type { TableRenderer } from './console-summary.js';
import { formatMegabytes, formatMilliseconds, formatRate, formatRatio, reportHeaderLines } from './format-values.js';
import { renderLineChart } from './svg-chart.js';
import { writeReportFiles } from './write-reports.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n');
}

const goalStatus = (status: string) => (status === 'not met' ? '**not met**' : status);
const colours = { accel: '#2e7d32', raw: '#1565c0' };

/** The chart file of a sweep, next to bench.md. */
export const scalingChartFile = (sweep: Pick<ScalingSweep, 'id'>) => `scaling-${sweep.id}.svg`;

/** The line chart of one sweep: accel's and raw onnxruntime's cost against the swept value, with the ratio over each point. */
export function renderScalingChart(sweep: ScalingSweep, result: Pick<ScalingBenchResult, 'mode' | 'generatedAt'>): string {
  const measured = sweep.points.filter((point) => point.status === 'measured' && point.accel !== undefined && point.raw !== undefined);
  return renderLineChart({
    title: `${sweep.title} — ${sweep.model}, cpu`,
    subtitle: `accel and raw onnxruntime, same run (${result.mode}, ${result.generatedAt.slice(0, 10)}); accel ÷ raw above each point`,
    xLabel: sweep.variable,
    yLabel: `${sweep.cost.split(' (')[0]}, ms`,
    series: [
      { label: 'accel', colour: colours.accel, points: measured.map((point) => ({ x: point.x, y: point.accel!.cost })) },
      { label: measured[0]?.raw?.label ?? 'raw onnxruntime', colour: colours.raw, points: measured.map((point) => ({ x: point.x, y: point.raw!.cost })) },
    ],
    annotations: measured.map((point) => ({ x: point.x, text: formatRatio(point.ratio) })),
  });
}

function detailText(sweep: ScalingSweep, point: ScalingPoint): string {
  const details = point.details ?? {};
  const parts: string[] = [];
  if (sweep.id === 'minilm-batch' && point.accel && point.raw) {
    parts.push(`throughput accel ${formatRate((point.x * 1000) / point.accel.milliseconds.median, 'items/s')}, raw ${formatRate((point.x * 1000) / point.raw.milliseconds.median, 'items/s')}`);
  }
  if (details.kvCacheBytes !== undefined) parts.push(`KV cache ${formatMegabytes(details.kvCacheBytes)} (computed, ${details.promptTokens ?? '?'} + ${point.x} positions)`);
  if (details.accelTokens !== undefined && sweep.id === 'gpt2-tokens') parts.push(`accel generated ${details.accelTokens} tokens`);
  if (details.windows !== undefined) parts.push(`${details.windows} window${details.windows === 1 ? '' : 's'}`);
  if (details.rawTokens !== undefined && sweep.id === 'whisper-audio') parts.push(`tokens per request: raw ${details.rawTokens}, accel ${details.accelTokens ?? '?'}`);
  return parts.join('; ') || '–';
}

function pointRow(sweep: ScalingSweep, point: ScalingPoint): string[] {
  if (point.status !== 'measured' || !point.accel || !point.raw) return [String(point.x), `failed: ${point.reason ?? ''}`, '–', '–', '–', '–', '–', '–'];
  const side = (value: typeof point.accel) => `${formatMilliseconds(value.cost)} (p95 ${formatMilliseconds((value.milliseconds.p95 * value.cost) / value.milliseconds.median)}, ${value.milliseconds.samples})`;
  return [
    String(point.x),
    side(point.accel),
    side(point.raw),
    formatMilliseconds(point.accel.perUnitMilliseconds),
    formatMilliseconds(point.raw.perUnitMilliseconds),
    `**${formatRatio(point.ratio)}**`,
    String(point.rounds),
    detailText(sweep, point),
  ];
}

function sweepSection(sweep: ScalingSweep, result: ScalingBenchResult): string[] {
  const heading = `## ${sweep.title} (${sweep.model}, cpu)`;
  if (sweep.status === 'skipped' || sweep.points.length === 0) return [heading, '', `${sweep.status}: ${sweep.reason ?? ''}`, ''];
  const lines = [
    heading,
    '',
    `Swept: ${sweep.variable} ${sweep.points.map((point) => point.x).join(', ')}; fixed: ${sweep.fixed}. Cost: ${sweep.cost}.`,
    '',
    `![${sweep.title}: accel and raw onnxruntime](${scalingChartFile(sweep)})`,
    '',
    table(
      [sweep.variable, 'accel (p95, samples)', 'raw ORT (p95, samples)', `accel per ${sweep.unit}`, `raw per ${sweep.unit}`, 'accel ÷ raw', 'rounds', 'details'],
      sweep.points.map((point) => pointRow(sweep, point)),
    ),
    '',
  ];
  if (sweep.fits && sweep.steps) {
    const { accel, raw } = sweep.fits;
    lines.push(
      'Fitted over the measured points (least squares): the growth exponent is the slope of log(cost) on log(' + sweep.variable + ') — 1 is linear, below 1 a fixed cost being amortised; the per-unit cost and fixed cost are the slope and intercept of cost on ' + sweep.variable + '.',
      '',
      table(
        ['', 'growth exponent', `per ${sweep.unit}`, 'fixed cost (intercept)'],
        [
          ['accel', accel.exponent.toFixed(3), formatMilliseconds(accel.perUnit), formatMilliseconds(accel.intercept)],
          ['raw ORT', raw.exponent.toFixed(3), formatMilliseconds(raw.perUnit), formatMilliseconds(raw.intercept)],
        ],
      ),
      '',
      table(
        ['step', 'accel grew', 'raw grew', 'accel ÷ raw growth', `flagged (> ${(1 + result.growthTolerance).toFixed(2)})`],
        sweep.steps.map((step) => [`${step.from} → ${step.to}`, `×${step.accelGrowth.toFixed(2)}`, `×${step.rawGrowth.toFixed(2)}`, step.excess.toFixed(2), step.excess > 1 + result.growthTolerance ? '**yes**' : 'no']),
      ),
      '',
    );
  }
  lines.push(
    `- accel: ${sweep.notes.accel.join('; ') || '–'}`,
    `- raw onnxruntime: ${sweep.notes.raw.join('; ') || '–'}`,
    ...sweep.caveats.map((caveat) => `- ${caveat}`),
    '',
  );
  return lines;
}

/** The Markdown report of `accel bench --scaling`: machine, goals per sweep, then each sweep's points, fits, steps and chart. */
export function renderScalingMarkdownReport(result: ScalingBenchResult): string {
  return [
    ...reportHeaderLines({ ...result, title: `accel bench --scaling (${result.mode}${result.modelSize === 'tiny' ? ', tiny models' : ''})` }),
    `- models: random weights ${result.modelSize === 'tiny' ? 'at tiny size' : 'at real size'} from @accel/model-forge; backend cpu only (wasm, cuda and openvino are not part of this mode); one accel endpoint per sweep with the defaults (worker isolation, batching) and one replica, set explicitly (replicas 'auto' loads one too for these models, whose weights are over 32 MiB) against raw onnxruntime-node session.run with the backend's session options, in one process`,
    '- each point: warm-up, then accel and raw onnxruntime in alternating rounds (fewer at the big points; the side that goes first changes from round to round and point to point); costs are medians',
    '',
    '## Goals (issue 17 §3)',
    '',
    table(
      ['measure', 'goal', 'measured', 'status', 'why'],
      result.goals.map((goal) => [goal.measure, goal.goal, goal.measured === undefined ? '–' : formatRatio(goal.measured), goalStatus(goal.status), goal.note]),
    ),
    '',
    `(a) accel ÷ raw ≤ ${result.ratioThreshold} at every point. (b) no step where accel's cost grows faster than raw's: over each step between consecutive points, accel's growth ÷ raw's growth (which equals the ratio at the step's end ÷ the ratio at its start) must stay within ${(result.growthTolerance * 100).toFixed(0)}%, the noise of same-run ratios on a shared 2-core machine. A sweep that did not run is **skipped**, never met; a point that failed makes its sweep's goals not met.`,
    '',
    ...result.sweeps.flatMap((sweep) => sweepSection(sweep, result)),
  ].join('\n');
}

/** A few lines for the terminal: the goals, each sweep's fitted exponents, and where the reports are. */
export function renderScalingConsoleSummary(result: ScalingBenchResult, files: readonly string[], renderTable: TableRenderer): string {
  const goals = renderTable(
    ['goal', 'target', 'measured', 'status', 'note'],
    result.goals.map((goal) => [goal.id, goal.goal, goal.measured === undefined ? '–' : formatRatio(goal.measured), goal.status, goal.note]),
  );
  const curves = renderTable(
    ['sweep', 'points', 'accel ÷ raw (lowest – highest)', 'growth exponent accel / raw'],
    result.sweeps.map((sweep) => {
      const ratios = sweep.points.flatMap((point) => (point.ratio === undefined ? [] : [point.ratio]));
      return [
        sweep.id,
        `${sweep.points.filter((point) => point.status === 'measured').length} of ${sweep.points.length}${sweep.status === 'measured' ? '' : ` (${sweep.status}: ${sweep.reason ?? ''})`}`,
        ratios.length === 0 ? '–' : `${formatRatio(Math.min(...ratios))} – ${formatRatio(Math.max(...ratios))}`,
        sweep.fits ? `${sweep.fits.accel.exponent.toFixed(2)} / ${sweep.fits.raw.exponent.toFixed(2)}` : '–',
      ];
    }),
  );
  return [
    `accel bench --scaling ${result.mode}: ${result.durationSeconds.toFixed(0)} s on ${result.machine.cpu}, ${result.machine.cores} cores (load average ${result.machine.loadAverageStart.toFixed(1)} → ${result.machine.loadAverageEnd.toFixed(1)})`,
    '',
    curves,
    '',
    goals,
    '',
    ...files.map((file) => `wrote ${file}`),
  ].join('\n');
}

/** The whole result as JSON. */
export function renderScalingJsonReport(result: ScalingBenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Writes `bench.json`, `bench.md` and one line chart per sweep (`scaling-<sweep>.svg`) into the folder; returns their paths. */
export async function writeScalingReports(result: ScalingBenchResult, directory: string): Promise<string[]> {
  return writeReportFiles(result, directory, [
    ['bench.json', renderScalingJsonReport],
    ['bench.md', renderScalingMarkdownReport],
    ...result.sweeps.map((sweep) => [scalingChartFile(sweep), (written: ScalingBenchResult) => renderScalingChart(written.sweeps.find((entry) => entry.id === sweep.id) ?? sweep, written)] as const),
  ]);
}
