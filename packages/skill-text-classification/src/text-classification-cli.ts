import type { SkillCliV1 } from '@accel/core';
import { formatRanking } from '@accel/transformers-kit/encoders';
import type { TextClassificationInput, TextClassificationOptions, TextClassificationOutput } from './text-classification-schemas.js';

/** `accel run text-classification "I love it" "I hate it" [--top-k 2]`: each text, then its labels with their scores. */
export const textClassificationCli: SkillCliV1<TextClassificationInput, TextClassificationOptions, TextClassificationOutput> = {
  usage: ['accel run text-classification <text>… [--top-k <n>] [--function-to-apply softmax|sigmoid|none]'],
  positionals: 'text…',
  toRequest({ positionals }) {
    return { input: [...positionals] };
  },
  format(output, { inputNames }) {
    return output.classifications.map((ranking, index) => formatRanking(inputNames[index] ?? `text ${index}`, ranking)).join('\n');
  },
};
