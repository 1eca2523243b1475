/** One progress line: `label [#####.....] 12.0 / 24.0 MB`. */
export function renderProgressBar(label: string, done: number, total: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${megabytes(done)} / ${megabytes(total)} MB`;
}

/** Where progress goes: a terminal gets one line redrawn in place; anything else gets a line per finished file. */
export interface ProgressOutput {
  readonly interactive: boolean;
  /** Writes text as it is (no newline added). */
  readonly write: (text: string) => void;
}

/** Shows the forge's per-file progress events as a bar. */
export function createProgressReporter(output: ProgressOutput): { update(label: string, done: number, total: number): void; finish(): void } {
  let open = false;
  return {
    update(label, done, total) {
      const line = renderProgressBar(label, done, total);
      if (output.interactive) {
        output.write(`\r\u001b[2K${line}`);
        open = true;
      } else if (done >= total) {
        output.write(`${line}\n`);
      }
    },
    finish() {
      if (open) output.write('\n');
      open = false;
    },
  };
}
