/**
 * Keeps one spare byte array for the next decode that needs about as many bytes: images decoded one
 * after another (a benchmark, a stream of camera frames, one image per request) then reuse one
 * array instead of allocating a new one each time, whose release the garbage collector has to
 * notice (arrays this size live outside V8's heap, and their turnover starts full collections).
 * Only arrays the shelf made come back to it; an array taken is the caller's until put back.
 */
export class ByteShelf {
  #spare: ArrayBuffer | undefined;
  readonly #made = new WeakSet<ArrayBufferLike>();

  /** `length` bytes (contents undefined): the spare's start when it is at least that long and at most twice, else a new array. */
  take(length: number): Uint8Array {
    const spare = this.#spare;
    if (spare !== undefined && spare.byteLength >= length && spare.byteLength <= 2 * length) {
      this.#spare = undefined;
      return new Uint8Array(spare, 0, length);
    }
    const made = new Uint8Array(length);
    this.#made.add(made.buffer);
    return made;
  }

  /** Gives back an array `take` returned (or part of one), once nothing reads it any more; other arrays are ignored. */
  put(bytes: Uint8Array): void {
    if (this.#made.has(bytes.buffer)) this.#spare = bytes.buffer as ArrayBuffer;
  }
}
