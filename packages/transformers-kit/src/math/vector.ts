import { InvalidInputError } from '@accel/core';

/** A row-major float tensor `[batch, sequence, hidden]`, e.g. `last_hidden_state`. */
export interface HiddenStates {
  readonly data: ArrayLike<number>;
  readonly dims: readonly number[];
}

function hiddenShape(states: HiddenStates): [number, number, number] {
  const [batch, sequence, hidden] = states.dims;
  if (states.dims.length !== 3 || batch === undefined || sequence === undefined || hidden === undefined) {
    throw new InvalidInputError({ reason: `expected a [batch, sequence, hidden] tensor, got [${states.dims.join(', ')}]` });
  }
  return [batch, sequence, hidden];
}

/** Average of each row's hidden vectors over the positions where `mask` is 1. */
export function meanPool(states: HiddenStates, mask: ArrayLike<number | bigint>): Float32Array[] {
  const [batch, sequence, hidden] = hiddenShape(states);
  const { data } = states;
  const rows: Float32Array[] = [];
  for (let row = 0; row < batch; row += 1) {
    const sum = new Float32Array(hidden);
    let count = 0;
    for (let position = 0; position < sequence; position += 1) {
      // `!flag` is true for both 0 and 0n: no Number() conversion of a BigInt per position.
      const flag = mask[row * sequence + position];
      if (!flag) continue;
      count += 1;
      const offset = (row * sequence + position) * hidden;
      for (let unit = 0; unit < hidden; unit += 1) sum[unit]! += data[offset + unit]!;
    }
    const divisor = Math.max(count, 1e-9);
    for (let unit = 0; unit < hidden; unit += 1) sum[unit]! /= divisor;
    rows.push(sum);
  }
  return rows;
}

/** The hidden vector at position 0 of each row (BERT's `[CLS]`). */
export function clsPool(states: HiddenStates): Float32Array[] {
  const [batch, sequence, hidden] = hiddenShape(states);
  const rows: Float32Array[] = [];
  for (let row = 0; row < batch; row += 1) {
    const offset = row * sequence * hidden;
    const vector = new Float32Array(hidden);
    for (let unit = 0; unit < hidden; unit += 1) vector[unit] = states.data[offset + unit]!;
    rows.push(vector);
  }
  return rows;
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let squares = 0;
  for (let index = 0; index < vector.length; index += 1) squares += vector[index]! * vector[index]!;
  const norm = Math.max(Math.sqrt(squares), 1e-12);
  for (let index = 0; index < vector.length; index += 1) vector[index]! /= norm;
  return vector;
}

/** Cosine of the angle between two vectors of equal length. */
export function cosineSimilarity(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) {
    throw new InvalidInputError({ reason: `vectors differ in length (${left.length} and ${right.length})` });
  }
  let dot = 0;
  let leftSquares = 0;
  let rightSquares = 0;
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index]!;
    const b = right[index]!;
    dot += a * b;
    leftSquares += a * a;
    rightSquares += b * b;
  }
  const denominator = Math.sqrt(leftSquares) * Math.sqrt(rightSquares);
  return denominator === 0 ? 0 : dot / denominator;
}

/** exp(x − max) / Σ exp(x − max), computed in float64: probabilities that sum to 1. */
export function softmax(logits: readonly number[]): number[] {
  const largest = Math.max(...logits);
  const exponentials = logits.map((logit) => Math.exp(logit - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}
