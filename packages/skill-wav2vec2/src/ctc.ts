/** A token of a greedy CTC path: a run of equal, non-blank frame predictions. */
export interface CtcToken {
  readonly id: number;
  /** First and last frame of the run (global frame indices). */
  readonly firstFrame: number;
  readonly lastFrame: number;
}

/** A word of a CTC transcript, with the frames it spans. */
export interface CtcWord {
  readonly text: string;
  readonly firstFrame: number;
  readonly lastFrame: number;
}

/** The best-scoring vocabulary id of each frame in [from, to) of a [frames, vocabulary] row-major block. */
export function argmaxFrames(logits: ArrayLike<number>, vocabularySize: number, from: number, to: number): Int32Array {
  const ids = new Int32Array(Math.max(0, to - from));
  for (let frame = from; frame < to; frame += 1) {
    const offset = frame * vocabularySize;
    let best = 0;
    let bestScore = logits[offset]!;
    for (let id = 1; id < vocabularySize; id += 1) {
      const score = logits[offset + id]!;
      if (score > bestScore) {
        bestScore = score;
        best = id;
      }
    }
    ids[frame - from] = best;
  }
  return ids;
}

/**
 * Greedy CTC collapse: merges runs of the same id and drops the blank (`<pad>`), keeping the
 * frames each token spans. `A A <pad> A` gives two A tokens; `A A A` gives one.
 */
export function collapseCtc(frameIds: ArrayLike<number>, blankId: number, firstFrame = 0): CtcToken[] {
  const tokens: CtcToken[] = [];
  let runId = -1;
  let runStart = 0;
  const close = (end: number) => {
    if (runId !== -1 && runId !== blankId) tokens.push({ id: runId, firstFrame: firstFrame + runStart, lastFrame: firstFrame + end - 1 });
  };
  for (let frame = 0; frame < frameIds.length; frame += 1) {
    const id = frameIds[frame]!;
    if (id === runId) continue;
    close(frame);
    runId = id;
    runStart = frame;
  }
  close(frameIds.length);
  return tokens;
}

/** Groups CTC tokens into words at the word-delimiter token (`|`); tokens named in `ignored` are dropped. */
export function groupWords(tokens: readonly CtcToken[], tokenText: (id: number) => string, delimiterId: number, ignored: ReadonlySet<number> = new Set()): CtcWord[] {
  const words: CtcWord[] = [];
  let current: { text: string; firstFrame: number; lastFrame: number } | undefined;
  for (const token of tokens) {
    if (token.id === delimiterId) {
      if (current !== undefined) words.push(current);
      current = undefined;
      continue;
    }
    if (ignored.has(token.id)) continue;
    const piece = tokenText(token.id);
    if (current === undefined) current = { text: piece, firstFrame: token.firstFrame, lastFrame: token.lastFrame };
    else current = { text: current.text + piece, firstFrame: current.firstFrame, lastFrame: token.lastFrame };
  }
  if (current !== undefined) words.push(current);
  return words;
}
