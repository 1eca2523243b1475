import { modelFileForDtype, type Dtype, type SkillV1 } from '@accel/core';
import { loadClapModel } from './clap-model.js';
import type { ClapClassification, ClapInput, ClapItem, ClapOptions, ClapOutput, ClapTask, ClapValue } from './clap-types.js';
import { prepareClapInput } from './prepare-clap-input.js';

const exampleRate = 48_000;

/** One second of a rising two-tone chirp at 48 kHz: the smoke-test clip. */
function exampleClip(): { samples: Float32Array; sampleRate: number } {
  const samples = Float32Array.from({ length: exampleRate }, (_, index) => {
    const time = index / exampleRate;
    return 0.3 * Math.sin(2 * Math.PI * (300 + 400 * time) * time) + 0.1 * Math.sin(2 * Math.PI * 2_500 * time);
  });
  return { samples, sampleRate: exampleRate };
}

function softmax(logits: readonly number[]): number[] {
  const largest = Math.max(...logits);
  const exponentials = logits.map((logit) => Math.exp(logit - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}

function classify(logits: readonly number[], labels: readonly string[]): ClapClassification {
  const scores = softmax(logits)
    .map((score, index) => ({ label: labels[index]!, score }))
    .sort((left, right) => right.score - left.score);
  return { label: scores[0]!.label, score: scores[0]!.score, scores };
}

function dot(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += left[index]! * right[index]!;
  return sum;
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
  source: { module: '@accel/skill-clap', exportName: 'clapSkill' },
  description: 'CLAP audio and text embeddings, audio–text similarity and zero-shot audio classification',
  tasks: ['classify', 'embed-audio', 'embed-text', 'similarity'],
  defaultModel: 'laion/clap-htsat-unfused',
  limits: { maxBatchSize: 16 },
  example: { input: { audio: exampleClip(), labels: ['speech', 'music', 'a dog barking'] } },
  dtypes: ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'] satisfies Dtype[],
  modelTypes: ['clap'],
  requiredFiles: (dtype) => ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
  doPrepare: (input, options) => prepareClapInput(input, options),
  doLoad: (context) => loadClapModel(context),
  doAssemble(values, prepared): ClapOutput {
    const task = prepared.task as ClapTask;
    const audio = values.flatMap((value) => (value.kind === 'audio' ? [value] : []));
    const text = values.flatMap((value) => (value.kind === 'text' ? [value.embedding] : []));
    const dimensions = values[0]?.embedding.length ?? 0;
    if (task === 'embed-audio') return { task, audioEmbeddings: audio.map((value) => value.embedding), dimensions };
    if (task === 'embed-text') return { task, textEmbeddings: text, dimensions };
    if (task === 'similarity') {
      return {
        task,
        audioEmbeddings: audio.map((value) => value.embedding),
        textEmbeddings: text,
        dimensions,
        similarity: audio.map((value) => text.map((embedding) => dot(value.embedding, embedding))),
        logits: audio.map((value) => value.logits),
      };
    }
    const first = prepared.items[0];
    const labels = first?.kind === 'audio' ? first.labels : [];
    return { task: 'classify', classifications: audio.map((value) => classify(value.logits, labels)) };
  },
};
