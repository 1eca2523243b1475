import { assembleVisionLanguageOutput, prepareVisionLanguageRequest, visionLanguageGenerateCapability, type VisionLanguageItem } from '@accel/transformers-kit';
import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { llavaNextCli } from './llava-next-cli.js';
import { loadLlavaNextModel } from './llava-next-model.js';
import { llavaNextInputSchema, llavaNextOptionsSchema, llavaNextOutputSchema, type LlavaNextInput, type LlavaNextOptions, type LlavaNextOutput } from './llava-next-schemas.js';

/** The LLaVA-Next skill's type: `SkillV1` over the vision-language input, options and output. */
export type LlavaNextSkill = SkillV1<LlavaNextInput, LlavaNextOutput, LlavaNextOptions, VisionLanguageItem, LlavaNextOutput>;

const dtypes: readonly Dtype[] = ['fp32', 'q8'];
const sessionNames = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
const examplePixels = { data: Uint8Array.from({ length: 48 * 24 * 3 }, (_, index) => (index * 37) % 256), width: 48, height: 24, channels: 3 as const };

/**
 * LLaVA-Next / LLaVA-OneVision: images at any resolution (tiled on a grid from
 * `image_grid_pinpoints`, plus the whole image) and a prompt in, text out (streaming too). Several
 * images per prompt. Default model: llava-hf's ONNX export of LLaVA-OneVision-Qwen2-0.5B.
 */
export const llavaNextSkill: LlavaNextSkill = {
  specificationVersion: 'v1',
  name: 'llava-next',
  packageName: '@accel/skill-llava-next',
  exportName: 'llavaNextSkill',
  description: 'LLaVA-Next / LLaVA-OneVision: any-resolution images (several per prompt) and a prompt in, generated text out (streaming)',
  tasks: ['image-text-to-text'],
  defaultModel: 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
  limits: { maxBatchSize: 4 },
  example: { input: { images: examplePixels, prompt: 'What is in the picture?' }, options: { maxNewTokens: 8 } },
  dtypes,
  modelTypes: ['llava_onevision', 'llava_next'],
  requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', ...sessionNames.map((name) => modelFileForDtype(name, dtype))],
  schemas: { input: llavaNextInputSchema, options: llavaNextOptionsSchema, output: llavaNextOutputSchema },
  cli: llavaNextCli,
  streams: true,
  // Chats, and completions (a prompt continued as written), about at least one image.
  capabilities: { generate: visionLanguageGenerateCapability },
  doPrepare: prepareVisionLanguageRequest,
  doLoad: loadLlavaNextModel,
  doAssemble: assembleVisionLanguageOutput,
};
