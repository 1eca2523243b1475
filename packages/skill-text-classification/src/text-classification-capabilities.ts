import type { SkillCapabilitiesV1 } from '@accel/core';
import { labelClassifyCapability } from '@accel/transformers-kit/encoders';
import type { TextClassificationInput, TextClassificationOptions, TextClassificationOutput } from './text-classification-schemas.js';

/**
 * The standard request text classification serves: classify texts with the model's own labels,
 * every label with its score (softmax, or sigmoid for multi-label models), best first.
 */
export const textClassificationCapabilities: SkillCapabilitiesV1<TextClassificationInput, TextClassificationOutput, TextClassificationOptions> = {
  classify: labelClassifyCapability<TextClassificationInput, TextClassificationOutput, TextClassificationOptions>({
    // A topK at least the label count returns every label.
    requests: { text: (texts) => ({ input: [...texts], options: { topK: Number.MAX_SAFE_INTEGER } }) },
    scores: (output) => output.classifications,
  }),
};
