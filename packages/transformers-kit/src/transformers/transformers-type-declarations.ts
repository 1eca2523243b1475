/**
 * The kit's own sources see transformers.js's real types (see `TransformersTypes`). No public
 * declaration imports this file, so consumers never load those typings.
 */
import type * as Transformers from '@huggingface/transformers';

declare module './transformers-types.js' {
  interface TransformersTypes {
    readonly module: typeof Transformers;
    readonly tokenizer: Transformers.PreTrainedTokenizer;
    readonly imageProcessor: Transformers.ImageProcessor;
  }
}
