import type { GenerationOptions, ResolvedGenerationOptions, StopReason } from '@accel/transformers-kit';

/** One prompt, with T5's task prefix, e.g. `"translate English to German: the house is small"`. */
export type T5Input = string;

/** Per-request options: core's generation options (greedy unless `temperature` > 0). */
export type T5Options = GenerationOptions;

/** The generated text, cut before a stop string, and why generation stopped. */
export interface T5Output {
  readonly text: string;
  readonly stopReason: StopReason;
}

/** One prompt with its validated options: the unit the endpoint batches. */
export interface T5Item {
  readonly prompt: string;
  readonly options: ResolvedGenerationOptions;
}
