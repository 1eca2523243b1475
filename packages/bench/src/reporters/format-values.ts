import type { MachineDescription } from '../bench-result.js';
/** Formatting shared by the reporters. */
export const formatMilliseconds = (value: number | undefined): string =>
  value === undefined ? '–' : value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;

export const formatRate = (value: number | undefined, unit: string): string =>
  value === undefined ? '–' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;

export const formatMegabytes = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

export const formatRatio = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(2)}×`);

/** True when the ratio favours accel. */
export const favoursAccel = (ratio: { value: number; better: 'lower' | 'higher' }): boolean => (ratio.better === 'lower' ? ratio.value <= 1 : ratio.value >= 1);

/** The lines every Markdown report of a bench mode opens with: its title, command, date, machine, load and versions. */
export function reportHeaderLines(report: {
  readonly title: string;
  readonly command: string;
  readonly generatedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineDescription;
  readonly versions: Readonly<Record<string, string>>;
}): string[] {
  const { machine } = report;
  const loaded = machine.loadAverageStart > machine.cores || machine.loadAverageEnd > machine.cores;
  return [
    `# ${report.title}`,
    '',
    `- command: \`${report.command}\``,
    `- date: ${report.generatedAt}, ${report.durationSeconds.toFixed(0)} s`,
    `- machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${machine.platform}, Node ${machine.node}`,
    `- load average (1 min): ${machine.loadAverageStart.toFixed(2)} at the start, ${machine.loadAverageEnd.toFixed(2)} at the end${loaded ? ' — other work was running, so absolute numbers are low; ratios are taken within this run' : ''}`,
    `- versions: ${Object.entries(report.versions).map(([name, version]) => `${name} ${version}`).join(', ')}`,
  ];
}
