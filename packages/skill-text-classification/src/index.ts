export type { TextClassificationLogits } from './text-classification-model.js';
export type { TextClassificationItem } from './text-classification-prepare.js';
export {
  defaultTextClassificationTopK,
  type RankedLabel,
  type ScoreFunction,
  scoreFunctions,
  type TextClassificationInput,
  textClassificationInputSchema,
  type TextClassificationOptions,
  textClassificationOptionsSchema,
  type TextClassificationOutput,
  textClassificationOutputSchema,
} from './text-classification-schemas.js';
export { textClassificationSkill, type TextClassificationSkill } from './text-classification-skill.js';
