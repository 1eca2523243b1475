import type { InferResult } from '../provenance/provenance.js';

/** Text pieces as they are generated, then the full result. */
export interface InferStream<Output> extends AsyncIterable<string> {
  /** Resolves with the full output and provenance when generation stops. */
  readonly result: Promise<InferResult<Output>>;
}

/** An unbounded single-consumer queue of text pieces that ends, or fails, once. */
export class TextChannel {
  private readonly pieces: string[] = [];
  private waiting: ((step: IteratorResult<string>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private closed = false;
  private failure: unknown;

  push(text: string): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: text, done: false });
    } else {
      this.pieces.push(text);
    }
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    const resolve = this.waiting;
    const reject = this.failWaiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    if (error !== undefined) reject?.(error);
    else resolve?.({ value: undefined, done: true });
  }

  async *iterate(): AsyncGenerator<string, void, undefined> {
    for (;;) {
      if (this.pieces.length > 0) {
        yield this.pieces.shift()!;
        continue;
      }
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      const step = await new Promise<IteratorResult<string>>((resolve, reject) => {
        this.waiting = resolve;
        this.failWaiting = reject;
      });
      if (step.done) return;
      yield step.value;
    }
  }
}
