import { type Dtype, InvalidInputError, modelFileForDtype, type SkillV1 } from '@accel/core';
import { loadTextTokenizer } from '../transformers/load-text-tokenizer.js';
import { prepareTextInput } from './prepare-text-input.js';
import { loadTextEmbeddingModel, type TextEmbeddingItem, type TextPooling } from './text-embedding-model.js';

/** Per-request options of text-embedding skills. */
export interface TextEmbeddingOptions {
  /** `mean`: average over real tokens; `cls`: the first token's hidden state. */
  readonly pooling?: TextPooling;
  /** Scale each embedding to unit length. */
  readonly normalize?: boolean;
}

/** One embedding per input text, in input order. */
export interface EmbeddingOutput {
  readonly embeddings: Float32Array[];
  /** Length of each embedding (the model's hidden size). */
  readonly dimensions: number;
}

/** One text, or a non-empty list of texts. */
export type TextInput = string | readonly string[];

export type TextEmbeddingSkill<Options extends TextEmbeddingOptions = TextEmbeddingOptions> = SkillV1<
  TextInput,
  EmbeddingOutput,
  Options,
  TextEmbeddingItem,
  Float32Array
>;

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
 */
export const textEncoderModelTypes: readonly string[] = [
  'bert',
  'roberta',
  'xlm-roberta',
  'distilbert',
  'mpnet',
  'electra',
  'camembert',
  'albert',
  'deberta',
  'deberta-v2',
  'modernbert',
  'nomic_bert',
  'mobilebert',
  'squeezebert',
  'roformer',
  'ernie',
  'new',
];

const poolings: readonly TextPooling[] = ['mean', 'cls'];
const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'];

function readOptions(options: TextEmbeddingOptions | undefined, defaults: Required<TextEmbeddingOptions>): Required<TextEmbeddingOptions> {
  const pooling = options?.pooling ?? defaults.pooling;
  const normalize = options?.normalize ?? defaults.normalize;
  if (!poolings.includes(pooling)) throw new InvalidInputError({ reason: `pooling must be one of ${poolings.join(', ')}, got ${String(pooling)}` });
  if (typeof normalize !== 'boolean') throw new InvalidInputError({ reason: `normalize must be a boolean, got ${typeof normalize}` });
  return { pooling, normalize };
}

/** Defines a skill that embeds texts with a BERT-style encoder and a transformers.js tokenizer. */
export function defineTextEmbeddingSkill<Options extends TextEmbeddingOptions = TextEmbeddingOptions>(
  definition: TextEmbeddingSkillDefinition,
): TextEmbeddingSkill<Options> {
  return {
    specificationVersion: 'v1',
    name: definition.name,
    packageName: definition.packageName,
    source: { module: definition.packageName, exportName: definition.exportName },
    description: definition.description,
    tasks: ['embed'],
    defaultModel: definition.defaultModel,
    limits: { maxBatchSize: definition.maxBatchSize },
    example: { input: ['a cat sat on the mat', 'a dog barked'] },
    dtypes,
    requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
    modelTypes: definition.modelTypes ?? textEncoderModelTypes,
    doPrepare(input, options) {
      const { pooling, normalize } = readOptions(options, definition.defaults);
      const prepared = prepareTextInput(input, 'embed');
      return { task: prepared.task, items: prepared.items.map((text) => ({ text, pooling, normalize })) };
    },
    async doLoad(context) {
      return loadTextEmbeddingModel(context, await loadTextTokenizer(context));
    },
    doAssemble(values) {
      return { embeddings: [...values], dimensions: values[0]?.length ?? 0 };
    },
  };
}
