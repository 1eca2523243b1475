/**
 * Tracks generated text against stop strings and decides how much of it may be shown: text that
 * could still turn into a stop string is held back until it cannot.
 */
export class StopStringMatcher {
  private text = '';
  private released = 0;

  constructor(private readonly stops: readonly string[]) {}

  /**
   * Takes the full decoded text so far. Returns the new text that is safe to emit, and whether a
   * stop string has appeared (the text up to it is then final).
   */
  update(fullText: string): { emit: string; stopped: boolean } {
    this.text = fullText;
    const hit = this.firstStop();
    if (hit !== undefined) {
      const emit = fullText.slice(this.released, hit);
      this.released = hit;
      return { emit, stopped: true };
    }
    let safe = fullText.length;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, fullText.length); length > 0; length -= 1) {
        if (fullText.endsWith(stop.slice(0, length))) {
          safe = Math.min(safe, fullText.length - length);
          break;
        }
      }
    }
    const emit = fullText.slice(this.released, Math.max(safe, this.released));
    this.released = Math.max(safe, this.released);
    return { emit, stopped: false };
  }

  /** The final text: cut before the first stop string, if any. */
  finalText(): string {
    const hit = this.firstStop();
    return hit === undefined ? this.text : this.text.slice(0, hit);
  }

  /** Text held back so far that is now safe (generation ended without a stop string). */
  flush(): string {
    const rest = this.finalText().slice(this.released);
    this.released = this.finalText().length;
    return rest;
  }

  private firstStop(): number | undefined {
    let first: number | undefined;
    for (const stop of this.stops) {
      const index = this.text.indexOf(stop);
      if (index !== -1 && (first === undefined || index < first)) first = index;
    }
    return first;
  }
}
