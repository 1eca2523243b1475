import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import { resolveGenerationOptions } from '../../generation/generation-options.js';
import { validateTextGenerationInput, type TextGenerationInput } from '../../generation/chat.js';
import { loadCausalLanguageModel } from './load-causal-language-model.js';
import type { TextGenerationItem, TextGenerationOptions, TextGenerationOutput } from './text-generation-types.js';

export type TextGenerationSkill = SkillV1<TextGenerationInput, TextGenerationOutput, TextGenerationOptions, TextGenerationItem, TextGenerationOutput>;

export interface TextGenerationSkillDefinition {
  readonly name: string;
  readonly packageName: string;
  /** The skill's export name in its package, so worker threads can import it. */
  readonly exportName: string;
  readonly description: string;
  readonly defaultModel: string;
  /** transformers.js model class per `model_type` of config.json, e.g. `{ gpt2: 'GPT2LMHeadModel' }`. */
  readonly modelClasses: Readonly<Record<string, string>>;
  readonly maxBatchSize: number;
  readonly example: { readonly input: TextGenerationInput; readonly options?: TextGenerationOptions };
}

const dtypes: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16'];

/**
 * Defines a skill that generates text with a decoder-only language model: one prompt (or chat)
 * per request, options validated before queueing, batched with left padding, streamed.
 */
export function defineTextGenerationSkill(definition: TextGenerationSkillDefinition): TextGenerationSkill {
  return {
    specificationVersion: 'v1',
    name: definition.name,
    packageName: definition.packageName,
    source: { module: definition.packageName, exportName: definition.exportName },
    description: definition.description,
    tasks: ['text-generation'],
    defaultModel: definition.defaultModel,
    limits: { maxBatchSize: definition.maxBatchSize },
    example: definition.example,
    dtypes,
    requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', modelFileForDtype('model', dtype)],
    modelTypes: Object.keys(definition.modelClasses),
    doPrepare(input, options) {
      const validated = validateTextGenerationInput(input);
      return { task: 'text-generation', items: [{ input: validated, options: resolveGenerationOptions(options) }] };
    },
    doLoad: (context) => loadCausalLanguageModel(context, definition.modelClasses),
    doAssemble(values) {
      return values[0]!;
    },
  };
}
