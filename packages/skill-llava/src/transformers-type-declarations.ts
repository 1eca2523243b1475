/**
 * This package's sources see transformers.js's real types through `@accel/core`'s
 * `TransformersTypes`. No public declaration imports this file, so consumers never load those
 * typings (they fail `skipLibCheck: false`; see tools/consumer-types).
 */
import type * as Transformers from '@huggingface/transformers';

declare module '@accel/core' {
  interface TransformersTypes {
    readonly module: typeof Transformers;
    readonly tokenizer: Transformers.PreTrainedTokenizer;
    readonly imageProcessor: Transformers.ImageProcessor;
  }
}
