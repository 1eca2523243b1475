import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { assembleClapOutput } from './clap-assemble.js';
import { clapCapabilities } from './clap-capabilities.js';
import { clapCli } from './clap-cli.js';
import { loadClapModel, type ClapValue } from './clap-model.js';
import { prepareClapRequest, type ClapItem } from './clap-prepare.js';
import { clapInputSchema, clapOptionsSchema, clapOutputSchema, type ClapInput, type ClapOptions, type ClapOutput } from './clap-schemas.js';

const exampleRate = 48_000;

/** One second of a rising two-tone chirp at 48 kHz: the smoke-test clip. */
function exampleClip(): { samples: Float32Array; sampleRate: number } {
  const samples = Float32Array.from({ length: exampleRate }, (_, index) => {
    const time = index / exampleRate;
    return 0.3 * Math.sin(2 * Math.PI * (300 + 400 * time) * time) + 0.1 * Math.sin(2 * Math.PI * 2_500 * time);
  });
  return { samples, sampleRate: exampleRate };
}

/** The CLAP skill's type. */
export type ClapSkill = SkillV1<ClapInput, ClapOutput, ClapOptions, ClapItem, ClapValue>;

/**
 * CLAP audio–text model: audio embeddings, text embeddings, audio–text similarity and zero-shot
 * audio classification, on ClapModel's single `onnx/model.onnx`.
 */
export const clapSkill: ClapSkill = {
  specificationVersion: 'v1',
  name: 'clap',
  packageName: '@accel/skill-clap',
  exportName: 'clapSkill',
  description: 'CLAP audio and text embeddings, audio–text similarity and zero-shot audio classification',
  tasks: ['classify', 'embed-audio', 'embed-text', 'similarity'],
  defaultModel: 'Xenova/clap-htsat-unfused',
  limits: { maxBatchSize: 16 },
  example: { input: { audio: exampleClip(), labels: ['speech', 'music', 'a dog barking'] } },
  dtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'] satisfies Dtype[],
  modelTypes: ['clap'],
  requiredFiles: (dtype) => ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
  schemas: { input: clapInputSchema, options: clapOptionsSchema, output: clapOutputSchema },
  cli: clapCli,
  capabilities: clapCapabilities,
  doPrepare: prepareClapRequest,
  doLoad: loadClapModel,
  doAssemble: assembleClapOutput,
};
