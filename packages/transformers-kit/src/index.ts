// Loading transformers.js (one build per thread) and the types that name it.
export { loadTransformers, loadTransformersBuild, type LoadedTransformers, type TransformersModule, type TransformersTensorClass } from './transformers/load-transformers.js';
export type { TransformersImageProcessor, TransformersTokenizer, TransformersTypes } from './transformers/transformers-types.js';
export { withTransformersTensorOutputs } from './transformers/transformers-tensors.js';
// Model parts that only some requests need, loaded by the first one that does.
export { onDemand, type OnDemand } from './model/on-demand.js';
// Tokenizers.
export { loadTokenizer } from './transformers/load-tokenizer.js';
export { loadTextTokenizer } from './transformers/load-text-tokenizer.js';
export type { TextTokenizer } from './text/text-tokenizer.js';
// Text embedding: the skill factory and its pieces.
export { clsPool, cosineSimilarity, l2Normalize, meanPool, softmax, type HiddenStates } from './math/vector.js';
export { buildTokenFeeds, encodeTexts, truncateKeepingLast, type TruncationNote } from './text/token-feeds.js';
export { loadTextEmbeddingModel, type TextEmbeddingItem, type TextPooling } from './text/text-embedding-model.js';
// Standard requests (embed, classify) mapped onto a skill's own input and output.
export { embedCapability, labelClassifyCapability, zeroShotClassifyCapability, type ItemsOfModality, type ModalityRequests } from './text/capability-mappings.js';
export {
  defineTextEmbeddingSkill,
  type EmbeddingOutput,
  type TextEmbeddingOptions,
  type TextEmbeddingSkill,
  type TextEmbeddingSkillDefinition,
  type TextInput,
} from './text/text-embedding-skill.js';
// Generation: chat input, options, sampling, stop strings, and the generate loop.
export * from './generation/index.js';
export { generateRows, type GenerateRowsOptions, type GeneratedRow, type GenerationModel, type GenerationRow, type GenerationTokenizer } from './transformers/generate-rows.js';
// Text generation: the decoder-only skill factory and its pieces.
export { defineTextGenerationSkill, type TextGenerationSkill, type TextGenerationSkillDefinition } from './transformers/text-generation/define-text-generation-skill.js';
export type { TextGenerationItem, TextGenerationOptions, TextGenerationOutput } from './transformers/text-generation/text-generation-types.js';
export { encodePrompt, type PromptTokenizer } from './transformers/text-generation/encode-prompt.js';
export { planGenerationBatches, type PlannedRow } from './transformers/text-generation/generation-batches.js';
// Images and vision-language (LLaVA family).
export { createPixelValuesReader, createPixelValuesReaderFromConfig, type ImageProcessorConfig, type PixelValues, type PixelValuesReader } from './transformers/pixel-values.js';
export * from './transformers/vision-language/index.js';
// Schemas several skills share (zod 4): texts, media, prompts and generation options.
export { describeValue, nonEmptyTextSchema, textsSchema } from './schemas/text-schemas.js';
export {
  audioSchema,
  audiosSchema,
  fileBytesSchema,
  filePathSchema,
  imageSchema,
  imagesSchema,
  instanceOfSchema,
  rawAudioSchema,
  rawPixelsSchema,
  videoSchema,
} from './schemas/media-schemas.js';
export { chatMessageSchema, generationOptionsSchema, generationOptionsShape, generationResultShape, promptSchema } from './schemas/generation-schemas.js';
export { visionLanguageInputSchema, visionLanguageOptionsSchema, visionLanguageOutputSchema } from './schemas/vision-language-schemas.js';
export { labelsSchema, labelTemplateSchema } from './schemas/label-schemas.js';
// Printing results on the command line, the same way in every skill.
export { formatClock, formatRanking, formatStop, formatVector, splitList } from './cli/format-output.js';
export { visionLanguageCli } from './cli/vision-language-cli.js';
// Text embedding and text generation: the schemas and command lines the factories give their skills.
export { textEmbeddingInputSchema, textEmbeddingOptionsSchema, textEmbeddingOutputSchema } from './text/text-embedding-schemas.js';
export { textEmbeddingCli } from './text/text-embedding-cli.js';
export type { TextEmbeddingSchemas } from './text/text-embedding-skill.js';
export { textGenerationInputSchema, textGenerationOptionsSchema, textGenerationOutputSchema } from './transformers/text-generation/text-generation-schemas.js';
export type { TextGenerationSchemas } from './transformers/text-generation/define-text-generation-skill.js';
export { chatFlags, chatInputOf, generationUsage, promptOf, textGenerationCli } from './cli/generation-cli.js';
