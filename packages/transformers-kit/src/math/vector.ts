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

/**
 * Average of each row's hidden vectors over the positions where `mask` is 1, summed in float64
 * (as transformers.js's mean pooling sums). Four units at a time are summed in registers over a
 * row's kept positions, which measured about twice as fast as adding each position's vector into
 * an accumulator array (the whole of a MiniLM batch's pooling is ~184k additions).
 */
export function meanPool(states: HiddenStates, mask: ArrayLike<number | bigint>): Float32Array[] {
  const [batch, sequence, hidden] = hiddenShape(states);
  const { data } = states;
  const rows: Float32Array[] = [];
  const kept = new Int32Array(sequence);
  for (let row = 0; row < batch; row += 1) {
    // Offsets of the row's kept positions; 0 and 0n are both falsy (no BigInt conversion).
    let count = 0;
    for (let position = 0; position < sequence; position += 1) {
      if (mask[row * sequence + position]) kept[count++] = (row * sequence + position) * hidden;
    }
    const divisor = Math.max(count, 1e-9);
    const pooled = new Float32Array(hidden);
    let unit = 0;
    for (; unit + 4 <= hidden; unit += 4) {
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let index = 0; index < count; index += 1) {
        const offset = kept[index]! + unit;
        sum0 += data[offset]!;
        sum1 += data[offset + 1]!;
        sum2 += data[offset + 2]!;
        sum3 += data[offset + 3]!;
      }
      pooled[unit] = sum0 / divisor;
      pooled[unit + 1] = sum1 / divisor;
      pooled[unit + 2] = sum2 / divisor;
      pooled[unit + 3] = sum3 / divisor;
    }
    for (; unit < hidden; unit += 1) {
      let sum = 0;
      for (let index = 0; index < count; index += 1) sum += data[kept[index]! + unit]!;
      pooled[unit] = sum / divisor;
    }
    rows.push(pooled);
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
