import { assembleVisionLanguageOutput, prepareVisionLanguageRequest, visionLanguageGenerateCapability, type VisionLanguageItem } from '@accel/transformers-kit';
import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { llavaCli } from './llava-cli.js';
import { loadLlavaModel } from './llava-model.js';
import { llavaInputSchema, llavaOptionsSchema, llavaOutputSchema, type LlavaInput, type LlavaOptions, type LlavaOutput } from './llava-schemas.js';

/** The LLaVA skill's type: `SkillV1` over the vision-language input, options and output. */
export type LlavaSkill = SkillV1<LlavaInput, LlavaOutput, LlavaOptions, VisionLanguageItem, LlavaOutput>;

const dtypes: readonly Dtype[] = ['fp32', 'q8'];
const sessionNames = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
const examplePixels = { data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, index) => (index * 37) % 256), width: 16, height: 16, channels: 3 as const };

/** LLaVA: images and a prompt in, text out (streaming too), through transformers.js's LLaVA classes. */
export const llavaSkill: LlavaSkill = {
  specificationVersion: 'v1',
  name: 'llava',
  packageName: '@accel/skill-llava',
  exportName: 'llavaSkill',
  description: 'LLaVA: one or more images and a prompt in, generated text out (streaming)',
  tasks: ['image-text-to-text'],
  defaultModel: 'llava-hf/llava-interleave-qwen-0.5b-hf',
  limits: { maxBatchSize: 8 },
  example: { input: { images: examplePixels, prompt: 'What is in the picture?' }, options: { maxNewTokens: 8 } },
  dtypes,
  modelTypes: ['llava'],
  requiredFiles: (dtype) => [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'preprocessor_config.json',
    'processor_config.json',
    ...sessionNames.map((name) => modelFileForDtype(name, dtype)),
  ],
  schemas: { input: llavaInputSchema, options: llavaOptionsSchema, output: llavaOutputSchema },
  cli: llavaCli,
  streams: true,
  // Chats, and completions (a prompt continued as written), about at least one image.
  capabilities: { generate: visionLanguageGenerateCapability },
  doPrepare: prepareVisionLanguageRequest,
  doLoad: loadLlavaModel,
  doAssemble: assembleVisionLanguageOutput,
};
