import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import type { RawPixels } from '@accel/core/media';
import { assembleXclipOutput, type XclipValue } from './xclip-assemble.js';
import { xclipCapabilities } from './xclip-capabilities.js';
import { xclipCli } from './xclip-cli.js';
import { loadXclipModel } from './xclip-model.js';
import { type XclipItem, prepareXclipRequest } from './xclip-prepare.js';
import { xclipInputSchema, xclipOptionsSchema, xclipOutputSchema, type XclipInput, type XclipOptions, type XclipOutput } from './xclip-schemas.js';

/** The X-CLIP skill's type: `SkillV1` over X-CLIP's inputs, outputs and options. */
export type XclipSkill = SkillV1<XclipInput, XclipOutput, XclipOptions, XclipItem, XclipValue>;

/** Every file variant with float32 inputs and outputs; fp16 files (float16 inputs) are not supported. */
const dtypes: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4', 'bnb4'];

function frame(shift: number): RawPixels {
  const width = 16;
  const height = 12;
  const data = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    data[pixel * 3] = ((pixel % width) * 16 + shift * 32) % 256;
    data[pixel * 3 + 1] = (Math.floor(pixel / width) * 20) % 256;
    data[pixel * 3 + 2] = (shift * 60) % 256;
  }
  return { data, width, height, channels: 3 };
}

/**
 * X-CLIP (`microsoft/xclip-base-patch32`, in the graph contract of this package's README): video
 * embeddings, text embeddings and zero-shot video classification with video-specific prompts.
 */
export const xclipSkill: XclipSkill = {
  specificationVersion: 'v1',
  name: 'xclip',
  packageName: '@accel/skill-xclip',
  exportName: 'xclipSkill',
  description: 'X-CLIP video and text embeddings and zero-shot video classification',
  tasks: ['zero-shot-video-classification', 'video-embedding', 'text-embedding'],
  defaultModel: 'microsoft/xclip-base-patch32',
  limits: { maxBatchSize: 8 },
  example: { input: { video: [frame(0), frame(1), frame(2), frame(3)], labels: ['cooking', 'dancing'] } },
  dtypes,
  modelTypes: ['xclip'],
  requiredFiles: (dtype) => [
    'config.json',
    'preprocessor_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    modelFileForDtype('text_model', dtype),
    modelFileForDtype('vision_model', dtype),
    modelFileForDtype('prompt_model', dtype),
  ],
  schemas: { input: xclipInputSchema, options: xclipOptionsSchema, output: xclipOutputSchema },
  cli: xclipCli,
  capabilities: xclipCapabilities,
  doPrepare: prepareXclipRequest,
  doLoad: loadXclipModel,
  doAssemble: assembleXclipOutput,
};
