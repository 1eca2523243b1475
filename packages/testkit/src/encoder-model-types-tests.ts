import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, type Accel, type InferCallOptions, type SkillV1 } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { loadTransformers } from '@accel/transformers-kit';

/**
 * A forged model of each encoder model type the text-embedding skills serve, by model type: what
 * `testEncoderModelTypes` runs a type on unless the test names another.
 */
export const forgedEncoderModels: Readonly<Record<string, string>> = {
  bert: 'onnx-community/bert-tiny-ONNX',
  distilbert: 'Xenova/distilbert-base-uncased',
  roberta: 'Xenova/all-distilroberta-v1',
  'xlm-roberta': 'Xenova/paraphrase-multilingual-mpnet-base-v2',
  mpnet: 'Xenova/all-mpnet-base-v2',
};

/** One comparison with transformers.js's feature-extraction pipeline. */
export interface EncoderPipelineCase<Options = unknown> {
  /** Named in the test's title: `…on the same files (<title>)`. */
  readonly title: string;
  /** The skill's options for the request. */
  readonly options?: Options;
  /** The pipeline's pooling and normalisation that the skill's options must reproduce. */
  readonly pooling: 'mean' | 'cls';
  readonly normalize: boolean;
}

export interface EncoderModelTypesOptions<Options = unknown> {
  /** A skill whose output is `{ embeddings }`, one vector per input sentence. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any skill's batch items and values
  readonly skill: SkillV1<string | readonly string[], { readonly embeddings: readonly ArrayLike<number>[] }, Options, any, any>;
  /** The suites' title: `<name> from a forged <type> model (<id>)`. */
  readonly name: string;
  /** Every model type the skill declares (the test checks the skill declares exactly these). */
  readonly modelTypes: readonly string[];
  /** Hub ids of the forged models to run a type on, where not `forgedEncoderModels`'. */
  readonly models?: Readonly<Record<string, string>>;
  /** Where the models are forged (e.g. the repository's `.cache/models/tiny`). */
  readonly modelRoot: string;
  readonly cases: readonly EncoderPipelineCase<Options>[];
  /** Default: three sentences of different lengths. */
  readonly sentences?: readonly string[];
  /** Largest difference allowed per value. Default 1e-4. */
  readonly tolerance?: number;
}

interface FeatureExtraction {
  (texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }): Promise<{ tolist(): unknown }>;
  dispose(): Promise<unknown>;
}

interface TransformersPipeline {
  readonly env: { allowRemoteModels: boolean };
  pipeline(task: 'feature-extraction', model: string, options: { local_files_only: true; dtype: 'fp32' }): Promise<FeatureExtraction>;
}

/**
 * The model-type tests text-embedding skills share (bert, sentence-embeddings): the skill declares
 * exactly `modelTypes`, and on a forged model of each type its embeddings equal transformers.js's
 * feature-extraction pipeline on the same files (on cpu), for each case. Call it at a test file's
 * top level.
 */
export function testEncoderModelTypes<Options>(options: EncoderModelTypesOptions<Options>): void {
  const { skill, modelRoot, cases, tolerance = 1e-4 } = options;
  const modelTypes = options.modelTypes.map((modelType) => {
    const id = options.models?.[modelType] ?? forgedEncoderModels[modelType];
    if (id === undefined) throw new Error(`no forged model for model type ${modelType}: name one in models`);
    return { modelType, id };
  });
  const sentences = [...(options.sentences ?? ['a cat sat on the mat', 'the dog barked', 'the quick brown fox jumps over the lazy dog'])];

  it('declares exactly the model types tested here', () => {
    expect([...(skill.modelTypes ?? [])].sort()).toEqual(modelTypes.map(({ modelType }) => modelType).sort());
  });

  describe.each(modelTypes)(`${options.name} from a forged $modelType model ($id)`, ({ id }) => {
    let directory = '';
    let accel: Accel;
    let transformers: TransformersPipeline;

    beforeAll(async () => {
      transformers = (await loadTransformers()) as unknown as TransformersPipeline;
      transformers.env.allowRemoteModels = false;
      ({ directory } = await forgeModel(id, { root: modelRoot }));
      accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [skill] });
      accel.addEndpoint({ skill, model: directory, isolation: 'inline' });
    });
    afterAll(() => accel.dispose());

    it.each(cases)('match the transformers.js feature-extraction pipeline on the same files ($title)', async ({ options: skillOptions, pooling, normalize }) => {
      const extractor = await transformers.pipeline('feature-extraction', directory, { local_files_only: true, dtype: 'fp32' });
      const expected = (await extractor(sentences, { pooling, normalize })).tolist() as number[][];
      await extractor.dispose();
      const { output, provenance } = await accel.infer(skill, sentences, skillOptions as (Options & InferCallOptions) | undefined);
      expect(provenance.backend).toBe('cpu');
      expect(output.embeddings).toHaveLength(sentences.length);
      output.embeddings.forEach((embedding, row) => {
        expect(embedding).toHaveLength(expected[row]!.length);
        Array.from(embedding).forEach((value, column) => expect(Math.abs(value - expected[row]![column]!)).toBeLessThan(tolerance));
      });
      expect(Math.abs(output.embeddings[0]![0]! - output.embeddings[1]![0]!)).toBeGreaterThan(0);
    });
  });
}
