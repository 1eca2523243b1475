export { testSkillConformance, type ConformanceOptions, type InvalidInputCase } from './conformance.js';
export { findDifference, largestDifference } from './deep-compare.js';
export {
  readMatrixCells,
  recordMatrixCell,
  renderMatrixMarkdown,
  writeMatrixReport,
  type CaseRecord,
  type CellStatus,
  type MatrixCell,
  type MatrixReport,
} from './matrix-report.js';
export { defaultReportDirectory } from './workspace-report-directory.js';
export { createTestLoadContext } from './test-load-context.js';
export { corruptImage, gradientPixels, splitImagePng } from './test-images.js';
export { createAudioFixtures } from './test-audio.js';
export { visionLanguageConformanceFixtures } from './vision-language-fixtures.js';
export {
  asciiWindow,
  collectStream,
  decoderGenerationTests,
  referenceGreedyTokens,
  type DecoderGenerationContext,
  type ReferenceDecoder,
} from './decoder-generation-tests.js';
export { testSkillWithoutOnnxruntimeNode, type WithoutOnnxruntimeNodeCase, type WithoutOnnxruntimeNodeOptions } from './test-skill-without-onnxruntime-node.js';
export { toJsonValue } from './json-value.js';
