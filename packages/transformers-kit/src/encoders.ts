// `@accel/transformers-kit/encoders`: what encoder skills (text embedding, text classification,
// CLIP) import — tokenizers, pooling, the text-embedding factory, pixel values, the schemas and
// command-line formatting they use — without the generation and vision-language modules. A skill
// module is imported again in each endpoint's worker thread, and every module in its graph is
// read, compiled and run there before the model starts loading: importing this entry instead of
// the package's index keeps text generation and LLaVA out of an encoder endpoint's load.
// The package's index re-exports all of it.

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
// Images.
export { concurrentReads, createPixelValuesReader, createPixelValuesReaderFromConfig, type ImageProcessorConfig, type PixelValues, type PixelValuesReader } from './transformers/pixel-values.js';
export { createBicubicResizer, type BicubicResizer, type ResizeCrop, type ResizedRowListener } from './transformers/bicubic-resize.js';
// Schemas several skills share (zod 4): texts, media and labels.
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
export { labelsSchema, labelTemplateSchema } from './schemas/label-schemas.js';
// Printing results on the command line, the same way in every skill.
export { formatClock, formatRanking, formatStop, formatVector, splitList } from './cli/format-output.js';
// Text embedding: the schemas and command line the factory gives its skills.
export { textEmbeddingInputSchema, textEmbeddingOptionsSchema, textEmbeddingOutputSchema } from './text/text-embedding-schemas.js';
export { textEmbeddingCli } from './text/text-embedding-cli.js';
export type { TextEmbeddingSchemas } from './text/text-embedding-skill.js';
