import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import { loadTextTokenizer } from '../transformers/load-text-tokenizer.js';
import { embedCapability } from './capability-mappings.js';
import { textEmbeddingCli } from './text-embedding-cli.js';
import { loadTextEmbeddingModel, type TextEmbeddingItem } from './text-embedding-model.js';
import {
  textEmbeddingInputSchema,
  textEmbeddingOptionsSchema,
  textEmbeddingOutputSchema,
  type EmbeddingOutput,
  type TextEmbeddingOptions,
  type TextInput,
} from './text-embedding-schemas.js';

export type { EmbeddingOutput, TextEmbeddingOptions, TextInput } from './text-embedding-schemas.js';

/** The zod schemas a text-embedding skill carries as `schemas`. */
export interface TextEmbeddingSchemas {
  readonly input: typeof textEmbeddingInputSchema;
  readonly options: ReturnType<typeof textEmbeddingOptionsSchema>;
  readonly output: typeof textEmbeddingOutputSchema;
}

/** A text-embedding skill: texts in, one embedding each out; its options are what its schema takes. */
export type TextEmbeddingSkill = SkillV1<TextInput, EmbeddingOutput, TextEmbeddingOptions, TextEmbeddingItem, Float32Array> & {
  readonly schemas: TextEmbeddingSchemas;
};

export interface TextEmbeddingSkillDefinition {
  readonly name: string;
  readonly packageName: string;
  /** The skill's export name in its package, so worker threads can import it. */
  readonly exportName: string;
  readonly description: string;
  readonly defaultModel: string;
  readonly defaults: Required<TextEmbeddingOptions>;
  readonly maxBatchSize: number;
  /** config.json `model_type` values served; default `textEncoderModelTypes`. */
  readonly modelTypes?: readonly string[];
}

/**
 * BERT-style encoders whose ONNX export takes `input_ids` / `attention_mask` (and optionally
 * `token_type_ids`) and returns `last_hidden_state`: what text-embedding skills serve by default.
 * Only types a test runs on a forged model of that type, equal to transformers.js's
 * feature-extraction pipeline on the same files (the skills' test/model-types.test.ts).
 */
export const textEncoderModelTypes: readonly string[] = ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'mpnet'];

const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'];

/**
 * Defines a skill that embeds texts with a BERT-style encoder and a transformers.js tokenizer. The
 * skill carries its schemas (texts in; `pooling`, `normalize`; embeddings out) and its command line
 * (`accel run <name> <text…>`).
 */
export function defineTextEmbeddingSkill(definition: TextEmbeddingSkillDefinition): TextEmbeddingSkill {
  const { defaults } = definition;
  return {
    specificationVersion: 'v1',
    name: definition.name,
    packageName: definition.packageName,
    exportName: definition.exportName,
    description: definition.description,
    tasks: ['embed'],
    defaultModel: definition.defaultModel,
    limits: { maxBatchSize: definition.maxBatchSize },
    example: { input: ['a cat sat on the mat', 'a dog barked'] },
    dtypes,
    requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
    modelTypes: definition.modelTypes ?? textEncoderModelTypes,
    schemas: { input: textEmbeddingInputSchema, options: textEmbeddingOptionsSchema(defaults), output: textEmbeddingOutputSchema },
    cli: textEmbeddingCli(definition.name),
    // OpenAI's /v1/embeddings and the like: texts in, the skill's default pooling and normalisation.
    capabilities: { embed: embedCapability({ text: (texts) => ({ input: [...texts] }) }, (output) => output.embeddings) },
    // Input and options arrive validated by `schemas`: only the split into one item per text is left.
    doPrepare(input, options) {
      const pooling = options?.pooling ?? defaults.pooling;
      const normalize = options?.normalize ?? defaults.normalize;
      const texts: readonly string[] = typeof input === 'string' ? [input] : input;
      return { task: 'embed', items: texts.map((text) => ({ text, pooling, normalize })) };
    },
    async doLoad(context) {
      return loadTextEmbeddingModel(context, await loadTextTokenizer(context));
    },
    doAssemble(values) {
      return { embeddings: [...values], dimensions: values[0]?.length ?? 0 };
    },
  };
}
