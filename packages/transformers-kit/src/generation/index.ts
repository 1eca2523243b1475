export type { ChatMessage, TextGenerationInput } from './chat.js';
export { resolveGenerationOptions, type GenerationOptions, type ResolvedGenerationOptions, type StopReason } from './generation-options.js';
export { sampleToken } from './sample-token.js';
export { createSeededRandom } from './seeded-random.js';
export { StopStringMatcher } from './stop-strings.js';
export { generatedOf, generationOptionsOf, promptGenerateCapability, type GeneratedText } from './generate-capability.js';
