import type { DownloadProgressEvent, ModelStoreEvent } from '@accel/core';

/** Where download progress goes: a terminal gets one line redrawn in place, anything else whole lines. */
export interface DownloadProgressOutput {
  readonly interactive: boolean;
  /** Interactive: writes text as it is (no newline added). Otherwise: writes one line. */
  readonly write: (text: string) => void;
}

export interface DownloadProgressOptions {
  /** A terminal's line is redrawn at most this often. Default 100 ms. */
  readonly redrawMs?: number;
  /** Without a terminal, at most one line per file this often (plus one when the file is complete). Default 5000 ms. */
  readonly lineEveryMs?: number;
  /** Milliseconds since some fixed point; `performance.now` unless a test drives time itself. */
  readonly now?: () => number;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

interface FileState {
  received: number;
  total: number | undefined;
  /** When the file's last line was written (or, before any, when it started). */
  lastLineAt: number;
  done: boolean;
}

/**
 * Renders the model store's download events. On a terminal: one aggregate line, redrawn in place,
 * with the bytes of every file so far against the whole download (`download-start` lists every
 * file's size from the hub's listing), the rate and the time left. Elsewhere: one line when a
 * file is complete, and while it downloads at most one line per `lineEveryMs`. A fallback from
 * IPFS to the hub is always a line of its own.
 */
export function createDownloadProgress(output: DownloadProgressOutput, options: DownloadProgressOptions = {}) {
  const redrawMs = options.redrawMs ?? 100;
  const lineEveryMs = options.lineEveryMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const files = new Map<string, FileState>();
  let startedAt: number | undefined;
  let lastRedrawAt: number | undefined;
  let open = false;

  function summary(model: string): string {
    let received = 0;
    let known = 0;
    let unknownSize = false;
    for (const state of files.values()) {
      received += state.received;
      if (state.total === undefined) unknownSize = true;
      else known += state.total;
    }
    const seconds = (now() - (startedAt ?? now())) / 1000;
    const rate = seconds > 0 ? Math.max(0, received - resumed) / seconds : 0;
    const left = unknownSize ? undefined : Math.max(0, known - received);
    const eta = left === undefined || rate <= 0 ? '' : `, ${duration(left / rate)} left`;
    const total = unknownSize ? '' : ` / ${megabytes(known)}`;
    return `downloading ${model}: ${files.size} file${files.size === 1 ? '' : 's'}, ${megabytes(received)}${total}, ${megabytes(rate)}/s${eta}`;
  }

  function fileLine(event: DownloadProgressEvent, state: FileState): string {
    const total = state.total === undefined ? '' : ` / ${megabytes(state.total)}`;
    return `downloading ${event.model}/${event.file}: ${megabytes(state.received)}${total}${state.done ? ' (done)' : ''}`;
  }

  let resumed = 0;
  return {
    update(storeEvent: ModelStoreEvent): void {
      if (storeEvent.type === 'download-start') {
        for (const { file, bytes } of storeEvent.files) if (!files.has(file)) files.set(file, { received: 0, total: bytes, lastLineAt: now(), done: false });
        return;
      }
      if (storeEvent.type === 'download-fallback') {
        if (open) output.write('\n');
        open = false;
        output.write(`${storeEvent.model}/${storeEvent.file}: not on the IPFS gateway (${storeEvent.reason}); taking it from the hub`);
        return;
      }
      if (storeEvent.type === 'download-wait') {
        output.write(`waiting: ${storeEvent.reason}`);
        return;
      }
      if (storeEvent.type === 'download-done') return;
      const event: DownloadProgressEvent = storeEvent;
      const at = now();
      startedAt ??= at;
      let state = files.get(event.file);
      // Bytes a resumed `.partial` already held were not downloaded now, so they are not in the rate.
      if (event.resumed === true) resumed += event.bytesReceived;
      if (state === undefined) {
        state = { received: 0, total: event.totalBytes, lastLineAt: at, done: false };
        files.set(event.file, state);
      }
      state.received = event.bytesReceived;
      state.total = event.totalBytes;
      const wasDone = state.done;
      state.done = event.totalBytes !== undefined && event.bytesReceived >= event.totalBytes;
      if (output.interactive) {
        if (lastRedrawAt !== undefined && at - lastRedrawAt < redrawMs && !state.done) return;
        lastRedrawAt = at;
        output.write(`\r\u001b[2K${summary(event.model)}`);
        open = true;
        return;
      }
      if (state.done && !wasDone) {
        state.lastLineAt = at;
        output.write(fileLine(event, state));
      } else if (!state.done && at - state.lastLineAt >= lineEveryMs) {
        state.lastLineAt = at;
        output.write(fileLine(event, state));
      }
    },
    /** Ends the terminal's line, if one is open. */
    finish(): void {
      if (open) output.write('\n');
      open = false;
    },
  };
}
