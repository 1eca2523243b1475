import type { DownloadProgressOutput } from '../download-progress.js';
import type { SweepProgressEvent } from './run-sweep.js';

const barWidth = 24;

/** `sweep [######..................] 7/30 bert × wasm: passed (1.2 s)`; a failed cell adds its reason. */
export function renderSweepProgress(event: SweepProgressEvent): string {
  const filled = event.total === 0 ? barWidth : Math.round((event.done / event.total) * barWidth);
  const time = event.milliseconds === undefined ? '' : ` (${(event.milliseconds / 1000).toFixed(1)} s)`;
  const why = event.status === 'failed' && event.reason !== undefined ? `: ${event.reason.length > 160 ? `${event.reason.slice(0, 157)}...` : event.reason}` : '';
  return `sweep [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${event.done}/${event.total} ${event.modelType} × ${event.backend}: ${event.status}${time}${why}`;
}

/**
 * The sweep's progress over entries × backends, on the same output as download progress: a
 * terminal gets one bar redrawn in place, anything else one line per cell. `pause` ends the bar's
 * line so a download's own progress lines can follow.
 */
export function createSweepProgress(output: DownloadProgressOutput) {
  let open = false;
  return {
    update(event: SweepProgressEvent): void {
      if (output.interactive) {
        output.write(`\r\u001b[2K${renderSweepProgress(event)}`);
        open = true;
      } else {
        output.write(renderSweepProgress(event));
      }
    },
    pause(): void {
      if (open) output.write('\n');
      open = false;
    },
  };
}
