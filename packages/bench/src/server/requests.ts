import { describeError } from '../describe-error.js';
import type { RequestAccounting } from './server-bench-result.js';

/** How one request ended: answered correctly, answered wrongly (an error), or never answered (lost). */
export type Outcome = { readonly kind: 'ok' } | { readonly kind: 'error' | 'lost'; readonly message: string };

/** Counts how every request sent to one side ended. */
export class RequestLedger {
  private sent = 0;
  private answered = 0;
  private errors = 0;
  private lost = 0;
  private readonly examples: string[] = [];

  record(outcome: Outcome): void {
    this.sent += 1;
    if (outcome.kind !== 'lost') this.answered += 1;
    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'error') this.errors += 1;
    else this.lost += 1;
    if (this.examples.length < 5) this.examples.push(`${outcome.kind}: ${outcome.message}`);
  }

  accounting(): RequestAccounting {
    return { sent: this.sent, answered: this.answered, errors: this.errors, lost: this.lost, examples: [...this.examples] };
  }
}

/**
 * Sends `count` requests at once and waits for every one; returns each one's latency in
 * milliseconds (failed and lost ones included, up to when they ended) after recording its outcome.
 */
export async function sendBurst(count: number, send: (index: number) => Promise<Outcome>, ledger: RequestLedger): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const startedAt = performance.now();
      const outcome = await send(index).catch((error: unknown): Outcome => ({ kind: 'error', message: describeError(error) }));
      const milliseconds = performance.now() - startedAt;
      ledger.record(outcome);
      return milliseconds;
    }),
  );
}

/** Largest absolute difference between a vector and the reference; Infinity when the lengths differ. */
export function largestDifference(vector: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (vector.length !== reference.length) return Number.POSITIVE_INFINITY;
  let largest = 0;
  for (let index = 0; index < vector.length; index += 1) largest = Math.max(largest, Math.abs(vector[index]! - reference[index]!));
  return Number.isNaN(largest) ? Number.POSITIVE_INFINITY : largest;
}

/** An HTTP answer that was not a success, read to its end. */
export interface ErrorAnswer {
  readonly status: number;
  /** OpenAI's `error.code`, when the body is OpenAI's error shape. */
  readonly code?: string;
  /** The status, code and `error.message` (or the start of the body) on one line. */
  readonly line: string;
}

export async function readErrorAnswer(response: Response): Promise<ErrorAnswer> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { message?: string; code?: string | null } };
    if (error?.message !== undefined) {
      const code = error.code ?? undefined;
      return { status: response.status, ...(code === undefined ? {} : { code }), line: `${response.status} ${code ?? ''} ${error.message}`.replace(/\s+/g, ' ') };
    }
  } catch {
    // not JSON: the text itself says what happened
  }
  return { status: response.status, line: `${response.status} ${text.slice(0, 200)}` };
}

/** True for the server's answer to a route it does not have (404 `not_found`, unlike a model's `model_not_found`). */
export const isMissingRoute = (answer: ErrorAnswer): boolean => answer.status === 404 && answer.code === 'not_found';

/**
 * Reads a server-sent event stream to its end, handing each event's `data` to `onData` (which may
 * throw to stop). Events are separated by a blank line; an event's data is its `data:` lines
 * joined by newlines (the EventSource rules the openai client follows); comments are skipped.
 */
export async function readServerSentEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => 'stop' | void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let boundary: RegExpExecArray | null;
      while ((boundary = /\r?\n\r?\n/.exec(buffer)) !== null) {
        const event = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
          .join('\n');
        if (data.length > 0 && onData(data) === 'stop') return;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
