import type { T5Output } from './t5-schemas.js';

/** A request is one prompt: its output is that prompt's generated text. */
export function assembleT5Output(values: readonly T5Output[]): T5Output {
  return values[0]!;
}
