// Everything encoder skills use (tokenizers, text embedding, pixel values, the shared text, media
// and label schemas, command-line formatting) is also `@accel/transformers-kit/encoders`, which
// leaves out generation and vision-language (see encoders.ts).
export * from './encoders.js';
// Generation: chat input, options, sampling, stop strings, and the generate loop.
export * from './generation/index.js';
export { generateRows, type GenerateRowsOptions, type GeneratedRow, type GenerationModel, type GenerationRow, type GenerationTokenizer } from './transformers/generate-rows.js';
// Text generation: the decoder-only skill factory and its pieces.
export { defineTextGenerationSkill, type TextGenerationSkill, type TextGenerationSkillDefinition } from './transformers/text-generation/define-text-generation-skill.js';
export type { TextGenerationItem, TextGenerationOptions, TextGenerationOutput } from './transformers/text-generation/text-generation-types.js';
export { encodePrompt, type PromptTokenizer } from './transformers/text-generation/encode-prompt.js';
export { planGenerationBatches, type PlannedRow } from './transformers/text-generation/generation-batches.js';
// Vision-language (LLaVA family).
export * from './transformers/vision-language/index.js';
// Schemas of prompts, generation options and vision-language requests (zod 4).
export { chatMessageSchema, generationOptionsSchema, generationOptionsShape, generationResultShape, promptSchema } from './schemas/generation-schemas.js';
export { visionLanguageInputSchema, visionLanguageOptionsSchema, visionLanguageOutputSchema } from './schemas/vision-language-schemas.js';
// Command lines of vision-language and text-generation skills.
export { visionLanguageCli } from './cli/vision-language-cli.js';
export { textGenerationInputSchema, textGenerationOptionsSchema, textGenerationOutputSchema } from './transformers/text-generation/text-generation-schemas.js';
export type { TextGenerationSchemas } from './transformers/text-generation/define-text-generation-skill.js';
export { chatFlags, chatInputOf, generationUsage, promptOf, textGenerationCli } from './cli/generation-cli.js';
