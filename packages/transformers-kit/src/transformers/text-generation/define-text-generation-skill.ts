import { type Dtype, modelFileForDtype, type SkillV1 } from '@accel/core';
import { textGenerationCli } from '../../cli/generation-cli.js';
import { resolveGenerationOptions } from '../../generation/generation-options.js';
import type { TextGenerationInput } from '../../generation/chat.js';
import { promptGenerateCapability } from '../../generation/generate-capability.js';
import { decoderSessionNames, loadCausalLanguageModel } from './load-causal-language-model.js';
import { textGenerationInputSchema, textGenerationOptionsSchema, textGenerationOutputSchema } from './text-generation-schemas.js';
import type { TextGenerationItem, TextGenerationOptions, TextGenerationOutput } from './text-generation-types.js';

/** The zod schemas a text-generation skill carries as `schemas`. */
export interface TextGenerationSchemas {
  readonly input: typeof textGenerationInputSchema;
  readonly options: typeof textGenerationOptionsSchema;
  readonly output: typeof textGenerationOutputSchema;
}

export type TextGenerationSkill = SkillV1<TextGenerationInput, TextGenerationOutput, TextGenerationOptions, TextGenerationItem, TextGenerationOutput> & {
  readonly schemas: TextGenerationSchemas;
};

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
 * per request, validated by its schemas before queueing, batched with left padding, streamed. The
 * skill carries its schemas, its command line (`accel run <name> "<prompt>"`) and `capabilities.generate`
 * (completions and chats), and reports each request's prompt and generated tokens as `usage`.
 */
export function defineTextGenerationSkill(definition: TextGenerationSkillDefinition): TextGenerationSkill {
  return {
    specificationVersion: 'v1',
    name: definition.name,
    packageName: definition.packageName,
    exportName: definition.exportName,
    description: definition.description,
    tasks: ['text-generation'],
    defaultModel: definition.defaultModel,
    limits: { maxBatchSize: definition.maxBatchSize },
    example: definition.example,
    dtypes,
    // `onnx/model.onnx` in newer transformers.js exports, `onnx/decoder_model_merged.onnx` in older
    // ones (Xenova/opt-125m): the same merged decoder with past key values.
    requiredFiles: (dtype) => ['config.json', 'tokenizer.json', 'tokenizer_config.json', decoderSessionNames.map((name) => modelFileForDtype(name, dtype))],
    modelTypes: Object.keys(definition.modelClasses),
    schemas: { input: textGenerationInputSchema, options: textGenerationOptionsSchema, output: textGenerationOutputSchema },
    cli: textGenerationCli(definition.name),
    streams: true,
    // Completions and chats; a chat for a model without a chat template fails with encodePrompt's InvalidInputError.
    capabilities: { generate: promptGenerateCapability({ chat: true }) },
    // Input and options arrive validated by `schemas`: the defaults are filled in here.
    doPrepare(input, options) {
      return { task: 'text-generation', items: [{ input, options: resolveGenerationOptions(options) }] };
    },
    doLoad: (context) => loadCausalLanguageModel(context, definition.modelClasses),
    doAssemble(values) {
      return values[0]!;
    },
  };
}
