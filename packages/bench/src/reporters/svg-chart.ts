import type { BenchResult } from '../bench-result.js';
import { favoursAccel } from './format-values.js';

/** One bar: a ratio, how it reads, and whether it favours accel. */
export interface ChartBar {
  readonly label: string;
  readonly value: number;
  readonly better: 'lower' | 'higher';
}

const layout = { plotWidth: 380, valueWidth: 70, rowHeight: 22, top: 56, bottom: 36, left: 12, characterWidth: 6.6 };
/** The axis runs from 1/8× to 8×, on a log scale centred on 1×. */
const axisExtent = 3;
const colours = { accel: '#2e7d32', peer: '#c62828', axis: '#555', grid: '#ddd', text: '#222' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The bars of a result: every ratio of every measured cell (with `--repeat`, each one's median over the runs), and run 1's two-model fractions. */
export function chartBars(result: BenchResult): ChartBar[] {
  const bars: ChartBar[] = result.repeat
    ? result.repeat.ratios.map((ratio) => ({ label: `${ratio.profile} · ${ratio.backend} · ${ratio.label} (median of ${ratio.values.length})`, value: ratio.median, better: ratio.better }))
    : result.cells.flatMap((cell) => cell.ratios.map((ratio) => ({ label: `${cell.profile} · ${cell.backend} · ${ratio.label}`, value: ratio.value, better: ratio.better })));
  const naive = result.coServing?.naive ?? [];
  for (const side of result.coServing?.accel ?? []) {
    const peer = naive.find((candidate) => candidate.model === side.model);
    if (peer !== undefined && peer.fraction > 0) {
      bars.push({ label: `two models · cpu · ${side.model} (together ÷ alone), accel ÷ two pipelines`, value: side.fraction / peer.fraction, better: 'higher' });
    }
  }
  return bars;
}

/**
 * A horizontal bar chart of ratios on a log scale: bars grow from 1× to the ratio, green where
 * the ratio favours accel and red where it favours the peer. Plain SVG, no dependency.
 */
export function renderRatioChart(bars: readonly ChartBar[], title: string): string {
  const labelWidth = Math.ceil(Math.max(200, ...bars.map((bar) => bar.label.length * layout.characterWidth)) + 12);
  const plotLeft = layout.left + labelWidth;
  const plotWidth = layout.plotWidth;
  const width = plotLeft + plotWidth + layout.valueWidth;
  const height = layout.top + Math.max(1, bars.length) * layout.rowHeight + layout.bottom;
  const x = (value: number) => {
    const position = Math.max(-axisExtent, Math.min(axisExtent, Math.log2(value)));
    return plotLeft + ((position + axisExtent) / (2 * axisExtent)) * plotWidth;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${layout.left}" y="20" font-size="15" font-weight="bold" fill="${colours.text}">${escapeXml(title)}</text>`,
    `<text x="${layout.left}" y="38" fill="${colours.axis}">log scale; green favours accel, red favours the peer</text>`,
  ];
  for (let step = -axisExtent; step <= axisExtent; step += 1) {
    const gridX = x(2 ** step).toFixed(1);
    const tick = step >= 0 ? `${2 ** step}×` : `1/${2 ** -step}×`;
    parts.push(`<line x1="${gridX}" y1="${layout.top - 6}" x2="${gridX}" y2="${height - layout.bottom}" stroke="${step === 0 ? colours.axis : colours.grid}" stroke-width="${step === 0 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${gridX}" y="${height - layout.bottom + 16}" text-anchor="middle" fill="${colours.axis}">${tick}</text>`);
  }
  bars.forEach((bar, index) => {
    const y = layout.top + index * layout.rowHeight;
    const from = x(1);
    const to = x(bar.value);
    const colour = favoursAccel(bar) ? colours.accel : colours.peer;
    parts.push(`<text x="${plotLeft - 8}" y="${y + 15}" text-anchor="end" fill="${colours.text}">${escapeXml(bar.label)}</text>`);
    parts.push(`<rect x="${Math.min(from, to).toFixed(1)}" y="${y + 4}" width="${Math.max(1, Math.abs(to - from)).toFixed(1)}" height="${layout.rowHeight - 8}" fill="${colour}"/>`);
    parts.push(`<text x="${plotLeft + plotWidth + 6}" y="${y + 15}" fill="${colours.text}">${bar.value.toFixed(2)}×</text>`);
  });
  if (bars.length === 0) parts.push(`<text x="${plotLeft}" y="${layout.top + 15}" fill="${colours.axis}">no ratios were measured</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The chart of every ratio in a result. */
export function renderResultChart(result: BenchResult): string {
  return renderRatioChart(chartBars(result), `accel bench ${result.mode}: accel ÷ peer, same run (${result.generatedAt.slice(0, 10)})`);
}

/** One line of a line chart: its points, in any order. */
export interface LineSeries {
  readonly label: string;
  readonly colour: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

export interface LineChart {
  readonly title: string;
  readonly subtitle: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Text over each x (e.g. the ratio of the two series there). */
  readonly annotations?: ReadonlyArray<{ readonly x: number; readonly text: string }>;
}

const line = { width: 720, height: 420, left: 78, right: 24, top: 88, bottom: 64, inset: 28 };

/** Ticks of a log10 axis at 1, 2 and 5 × powers of ten that fall inside [low, high] (at least the two ends). */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power += 1) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** power;
      if (value >= low * 0.999 && value <= high * 1.001) ticks.push(value);
    }
  }
  return ticks.length >= 2 ? ticks : [low, high];
}

const tickText = (value: number) => (value >= 1000 ? `${+(value / 1000).toPrecision(3)}k` : `${+value.toPrecision(3)}`);

/**
 * A line chart of cost against a swept value, both on log scales (x in powers of 2, y in 1-2-5
 * steps), one line per series with its points marked, and optional text over each x. Plain SVG in
 * the style of `renderRatioChart`, no dependency.
 */
export function renderLineChart(chart: LineChart): string {
  const all = chart.series.flatMap((series) => series.points).filter((point) => point.x > 0 && point.y > 0 && Number.isFinite(point.y));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${line.width}" height="${line.height}" viewBox="0 0 ${line.width} ${line.height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${line.width}" height="${line.height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="bold" fill="${colours.text}">${escapeXml(chart.title)}</text>`,
    `<text x="12" y="38" fill="${colours.axis}">${escapeXml(chart.subtitle)}</text>`,
  ];
  const plotRight = line.width - line.right;
  const plotBottom = line.height - line.bottom;
  if (all.length === 0) {
    parts.push(`<text x="${line.left}" y="${line.top + 20}" fill="${colours.axis}">no points were measured</text>`, '</svg>');
    return `${parts.join('\n')}\n`;
  }
  const xs = all.map((point) => point.x);
  const ys = all.map((point) => point.y);
  const [xLow, xHigh] = [Math.min(...xs), Math.max(...xs)];
  const yTicks = logTicks(Math.min(...ys) / 1.15, Math.max(...ys) * 1.15);
  const [yLow, yHigh] = [Math.min(Math.min(...ys) / 1.15, yTicks[0]!), Math.max(Math.max(...ys) * 1.15, yTicks.at(-1)!)];
  const xSpan = Math.log2(xHigh) - Math.log2(xLow) || 1;
  // The first and last x sit `inset` inside the axes, so their points and the text over them are not cut off.
  const x = (value: number) => (xHigh === xLow ? (line.left + plotRight) / 2 : line.left + line.inset + ((Math.log2(value) - Math.log2(xLow)) / xSpan) * (plotRight - line.left - 2 * line.inset));
  const y = (value: number) => plotBottom - ((Math.log10(value) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow) || 1)) * (plotBottom - line.top);
  for (const tick of yTicks) {
    const at = y(tick).toFixed(1);
    parts.push(`<line x1="${line.left}" y1="${at}" x2="${plotRight}" y2="${at}" stroke="${colours.grid}"/>`);
    parts.push(`<text x="${line.left - 6}" y="${(+at + 4).toFixed(1)}" text-anchor="end" fill="${colours.axis}">${tickText(tick)}</text>`);
  }
  for (const value of [...new Set(xs)].sort((left, right) => left - right)) {
    const at = x(value).toFixed(1);
    parts.push(`<line x1="${at}" y1="${line.top}" x2="${at}" y2="${plotBottom}" stroke="${colours.grid}"/>`);
    parts.push(`<text x="${at}" y="${plotBottom + 16}" text-anchor="middle" fill="${colours.axis}">${tickText(value)}</text>`);
  }
  parts.push(`<line x1="${line.left}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}" stroke="${colours.axis}" stroke-width="1.5"/>`);
  parts.push(`<line x1="${line.left}" y1="${line.top}" x2="${line.left}" y2="${plotBottom}" stroke="${colours.axis}" stroke-width="1.5"/>`);
  parts.push(`<text x="${(line.left + plotRight) / 2}" y="${plotBottom + 36}" text-anchor="middle" fill="${colours.text}">${escapeXml(chart.xLabel)} (log₂ scale)</text>`);
  parts.push(`<text x="16" y="${(line.top + plotBottom) / 2}" text-anchor="middle" fill="${colours.text}" transform="rotate(-90 16 ${(line.top + plotBottom) / 2})">${escapeXml(chart.yLabel)} (log scale)</text>`);
  for (const annotation of chart.annotations ?? []) {
    if (!(annotation.x > 0)) continue;
    parts.push(`<text x="${x(annotation.x).toFixed(1)}" y="${line.top - 8}" text-anchor="middle" fill="${colours.axis}">${escapeXml(annotation.text)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const points = series.points.filter((point) => point.x > 0 && point.y > 0 && Number.isFinite(point.y)).sort((left, right) => left.x - right.x);
    const path = points.map((point) => `${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ');
    const name = escapeXml(series.label);
    parts.push(`<g class="series" data-series="${name}">`);
    if (points.length > 1) parts.push(`<polyline points="${path}" fill="none" stroke="${series.colour}" stroke-width="2"/>`);
    for (const point of points) parts.push(`<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="3.5" fill="${series.colour}"><title>${name}: ${+point.y.toPrecision(4)} at ${point.x}</title></circle>`);
    parts.push('</g>');
    const legendY = 58;
    const legendX = line.left + index * 220;
    parts.push(`<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 22}" y2="${legendY - 4}" stroke="${series.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY}" fill="${colours.text}">${name}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
