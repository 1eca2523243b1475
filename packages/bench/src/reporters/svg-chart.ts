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
