export {
  memoryCheckDepth,
  quickMemoryCheck,
  reducedMemoryCounts,
  sensitiveMemoryCounts,
  testSkillConformance,
  type ConformanceOptions,
  type InvalidInputCase,
  type MemoryCheckDepth,
} from './conformance.js';
export {
  conformanceBackends,
  fixtureModelRoot,
  referenceBackend,
  testSkill,
  type ConformanceBackend,
  type ConformanceBackendName,
  type MemoryCheckOptions,
  type SkillCases,
} from './test-skill.js';
export {
  defaultMaxBytesPerCycle,
  defaultMaxBytesPerRequest,
  fitSlope,
  measureMemoryGrowth,
  memoryProblems,
  type MemoryCheckCounts,
  type MemoryCheckWork,
  type MemoryMeasurement,
} from './memory-check.js';
export { findDifference, largestDifference } from './deep-compare.js';
export { gatedBackend } from './gated-backend.js';
export { pacedBackend } from './paced-backend.js';
export * from './reports.js';
export { createTestLoadContext } from './test-load-context.js';
export { corruptImage, gradientPixels, splitImagePng } from './test-images.js';
export { createAudioFixtures } from './test-audio.js';
export { visionLanguageConformanceFixtures } from './vision-language-fixtures.js';
export { textGenerationConformanceFixtures } from './text-generation-fixtures.js';
export {
  asciiWindow,
  collectStream,
  decoderGenerationTests,
  loadForgedDecoder,
  referenceGreedyTokens,
  type DecoderGenerationContext,
  type ForgedDecoder,
  type ForgedDecoderOptions,
  type FromPretrained,
  type ReferenceDecoder,
} from './decoder-generation-tests.js';
export { forgedEncoderModels, testEncoderModelTypes, type EncoderModelTypesOptions, type EncoderPipelineCase } from './encoder-model-types-tests.js';
export {
  testSkillWithoutOnnxruntimeNode,
  withoutOnnxruntimeNodePreload,
  type WithoutOnnxruntimeNodeCase,
  type WithoutOnnxruntimeNodeOptions,
} from './test-skill-without-onnxruntime-node.js';
export { toJsonValue } from './json-value.js';
