import { type InferenceSessionV1, InvalidModelError, modelFileForDtype, type SkillLoadContext } from '@accel/core';
import { withTransformersTensorOutputs } from '../transformers-tensors.js';

/** What LLaVA-family `config.json` files hold that the skills read. */
export interface LlavaConfigJson {
  readonly model_type?: string;
  readonly image_token_index?: number;
  readonly image_token_id?: number;
  readonly text_config?: { readonly max_position_embeddings?: number; readonly eos_token_id?: number | number[]; readonly pad_token_id?: number | null };
  readonly [key: string]: unknown;
}

/** What a `generation_config.json` holds that generation reads. */
export interface GenerationConfigJson {
  readonly eos_token_id?: number | number[] | null;
  readonly pad_token_id?: number | null;
  readonly [key: string]: unknown;
}

/** The three sessions of a LLaVA-family model. */
export interface LlavaSessions {
  readonly vision_encoder: InferenceSessionV1;
  readonly embed_tokens: InferenceSessionV1;
  readonly decoder_model_merged: InferenceSessionV1;
}

const expectations: ReadonlyArray<readonly [keyof LlavaSessions, string, string]> = [
  ['vision_encoder', 'pixel_values', 'image_features'],
  ['embed_tokens', 'input_ids', 'inputs_embeds'],
  ['decoder_model_merged', 'inputs_embeds', 'logits'],
];

/**
 * Opens `vision_encoder`, `embed_tokens` and `decoder_model_merged` on the endpoint's backend and
 * checks the inputs and outputs the skills rely on (`extraVisionOutputs` too); a mismatch is an
 * `InvalidModelError` naming the file, and every session opened so far is released. Their outputs
 * are the loaded transformers.js build's tensors (`withTransformersTensorOutputs`), as
 * `LlavaForConditionalGeneration` expects.
 */
export async function openLlavaSessions(context: SkillLoadContext, extraVisionOutputs: readonly string[] = []): Promise<LlavaSessions> {
  const opened: Partial<Record<keyof LlavaSessions, InferenceSessionV1>> = {};
  const sessionContext = withTransformersTensorOutputs(context);
  try {
    for (const [name, input, output] of expectations) {
      const session = await sessionContext.createSession(name);
      opened[name] = session;
      const outputs = name === 'vision_encoder' ? [output, ...extraVisionOutputs] : [output];
      const missing = [...(session.inputNames.includes(input) ? [] : [`input ${input}`]), ...outputs.filter((expected) => !session.outputNames.includes(expected)).map((expected) => `output ${expected}`)];
      if (missing.length > 0) {
        throw new InvalidModelError({
          model: context.model.id,
          file: modelFileForDtype(name, context.dtype),
          reason: `lacks ${missing.join(', ')} (has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}])`,
        });
      }
    }
    return opened as LlavaSessions;
  } catch (error) {
    await Promise.all(Object.values(opened).map((session) => session.release()));
    throw error;
  }
}

/** Reads `generation_config.json` when the folder has one (it is optional). */
export async function readGenerationConfig(context: SkillLoadContext): Promise<GenerationConfigJson> {
  try {
    return await context.readJson<GenerationConfigJson>('generation_config.json');
  } catch (error) {
    if (InvalidModelError.isInstance(error)) throw error;
    return {};
  }
}

function asList(value: number | number[] | null | undefined): number[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The tokens that end a sequence and the token that pads one, from the generation config, text config and tokenizer. */
export function generationTokenIds(
  generationConfig: GenerationConfigJson,
  config: LlavaConfigJson,
  tokenizer: { readonly eos_token_id?: number | null; readonly pad_token_id?: number | null },
): { eosTokenIds: number[]; padTokenId: number } {
  const eosTokenIds = [...new Set([...asList(generationConfig.eos_token_id), ...asList(config.text_config?.eos_token_id), ...asList(tokenizer.eos_token_id)])];
  const padTokenId = generationConfig.pad_token_id ?? config.text_config?.pad_token_id ?? tokenizer.pad_token_id ?? eosTokenIds[0] ?? 0;
  return { eosTokenIds, padTokenId };
}

/** The smallest of the endpoint's context length, the language model's positions and the tokenizer's limit. */
export function contextLengthOf(context: SkillLoadContext, config: LlavaConfigJson, tokenizer: { readonly model_max_length?: number }): number {
  const limits = [context.contextLength, config.text_config?.max_position_embeddings, tokenizer.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  return Math.min(...limits, Number.MAX_SAFE_INTEGER);
}

/** The image token's id from the config. */
export function imageTokenIdOf(context: SkillLoadContext, config: LlavaConfigJson): number {
  const id = config.image_token_index ?? config.image_token_id;
  if (typeof id !== 'number') throw new InvalidModelError({ model: context.model.id, file: 'config.json', reason: 'has no image_token_index' });
  return id;
}
