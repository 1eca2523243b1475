import type { GenerationOptions, ResolvedGenerationOptions, StopReason } from '../../generation/generation-options.js';
import type { TextGenerationInput } from '../../generation/chat.js';

/** Per-request options of a text-generation skill: the kit's generation options. Greedy unless `temperature` > 0. */
export type TextGenerationOptions = GenerationOptions;

/** What one prompt generated. */
export interface TextGenerationOutput {
  /** The generated text (the prompt is not repeated), cut before a stop string. */
  readonly text: string;
  /** The generated token ids, without the end-of-sequence token. */
  readonly tokens: number[];
  /** `eos`, `length` (maxNewTokens or the context was reached), `stop-string`, or `aborted`. */
  readonly stopReason: StopReason;
}

/** One prompt or chat with its resolved options: the unit the scheduler batches. */
export interface TextGenerationItem {
  readonly input: TextGenerationInput;
  readonly options: ResolvedGenerationOptions;
}
