import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import type { RawPixels } from '@accel/core/media';
import { assembleClipOutput } from './clip-assemble.js';
import { clipCapabilities } from './clip-capabilities.js';
import { clipCli } from './clip-cli.js';
import { loadClipModel } from './clip-model.js';
import { type ClipItem, prepareClipRequest } from './clip-prepare.js';
import { clipInputSchema, clipOptionsSchema, clipOutputSchema, type ClipInput, type ClipOptions, type ClipOutput } from './clip-schemas.js';

/** The CLIP skill's type: `SkillV1` over CLIP's inputs, outputs and options. */
export type ClipSkill = SkillV1<ClipInput, ClipOutput, ClipOptions, ClipItem, Float32Array>;

/** Every file variant with float32 inputs and outputs; fp16 files (float16 inputs) are not supported. */
const dtypes: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4', 'bnb4'];

function gradient(width: number, height: number): RawPixels {
  const data = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    data[pixel * 3] = (pixel * 7) % 256;
    data[pixel * 3 + 1] = (pixel * 13) % 256;
    data[pixel * 3 + 2] = (pixel * 29) % 256;
  }
  return { data, width, height, channels: 3 };
}

/**
 * CLIP (`Xenova/clip-vit-base-patch32` and other CLIPModel exports): image embeddings, text
 * embeddings, image–text similarity and zero-shot image classification.
 */
export const clipSkill: ClipSkill = {
  specificationVersion: 'v1',
  name: 'clip',
  packageName: '@accel/skill-clip',
  exportName: 'clipSkill',
  description: 'CLIP image and text embeddings, image–text similarity and zero-shot image classification',
  tasks: ['zero-shot-image-classification', 'image-embedding', 'text-embedding', 'image-text-similarity'],
  defaultModel: 'Xenova/clip-vit-base-patch32',
  limits: { maxBatchSize: 32 },
  example: { input: { images: [gradient(16, 12)], labels: ['a cat', 'a dog'] } },
  dtypes,
  modelTypes: ['clip'],
  requiredFiles: (dtype) => [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    modelFileForDtype('text_model', dtype),
    modelFileForDtype('vision_model', dtype),
  ],
  schemas: { input: clipInputSchema, options: clipOptionsSchema, output: clipOutputSchema },
  cli: clipCli,
  capabilities: clipCapabilities,
  doPrepare: prepareClipRequest,
  doLoad: loadClipModel,
  doAssemble: assembleClipOutput,
};
