import {
  InvalidInputError,
  InvalidModelError,
  modelFileForDtype,
  ModelNotFoundError,
  type InferenceSessionV1,
  type ItemOutcome,
  type LoadedSkillV1,
  type SkillLoadContext,
} from '@accel/core';
import { generateRows, loadTokenizer, loadTransformers, withTransformersTensorOutputs } from '@accel/transformers-kit';
import type { T5Item } from './t5-prepare.js';
import type { T5Output } from './t5-schemas.js';

/** The `config.json` fields the skill reads. */
interface T5Config {
  readonly model_type?: string;
  readonly is_encoder_decoder?: boolean;
  readonly n_positions?: number;
  readonly decoder_start_token_id?: number;
  readonly eos_token_id?: number | number[];
  readonly pad_token_id?: number;
}

/** The `generation_config.json` fields the skill reads (the file is optional). */
interface T5GenerationConfig {
  readonly decoder_start_token_id?: number;
  readonly eos_token_id?: number | number[];
  readonly pad_token_id?: number;
}

const encoderSession = 'encoder_model';
const decoderSession = 'decoder_model_merged';
const supportedModelTypes = ['t5', 'mt5'];

function requireNames(context: SkillLoadContext, sessionName: string, session: InferenceSessionV1, inputs: readonly string[], outputs: readonly string[]): void {
  const missingInputs = inputs.filter((name) => !session.inputNames.includes(name));
  const missingOutputs = outputs.filter((name) => !session.outputNames.includes(name));
  if (missingInputs.length === 0 && missingOutputs.length === 0) return;
  throw new InvalidModelError({
    model: context.model.id,
    file: modelFileForDtype(sessionName, context.dtype),
    reason: `expected inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}]; missing ${[...missingInputs, ...missingOutputs].join(', ')}`,
  });
}

async function readGenerationConfig(context: SkillLoadContext): Promise<T5GenerationConfig> {
  try {
    return await context.readJson<T5GenerationConfig>('generation_config.json');
  } catch (error) {
    if (ModelNotFoundError.isInstance(error)) return {};
    throw error;
  }
}

function asList(value: number | number[] | undefined): number[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Loads a T5ForConditionalGeneration folder: `onnx/encoder_model*.onnx` (session `model` of the
 * transformers.js class) and `onnx/decoder_model_merged*.onnx`, both made by the endpoint's backend,
 * plus the tokenizer. Generation runs through transformers.js `generate` with core's `generateRows`.
 */
export async function loadT5Model(context: SkillLoadContext): Promise<LoadedSkillV1<T5Item, T5Output>> {
  const config = await context.readJson<T5Config>('config.json');
  if (!supportedModelTypes.includes(String(config.model_type)) || config.is_encoder_decoder === false) {
    throw new InvalidModelError({
      model: context.model.id,
      file: 'config.json',
      reason: `expected an encoder-decoder model_type of ${supportedModelTypes.join(' or ')}, found ${String(config.model_type)}`,
    });
  }
  const generation = await readGenerationConfig(context);
  const tokenizer = await loadTokenizer(context);
  // transformers.js's T5 class runs these sessions and checks their outputs' tensor class.
  const sessions = withTransformersTensorOutputs(context);
  const encoder = await sessions.createSession(encoderSession);
  requireNames(context, encoderSession, encoder, ['input_ids', 'attention_mask'], ['last_hidden_state']);
  const decoder = await sessions.createSession(decoderSession);
  requireNames(context, decoderSession, decoder, ['input_ids', 'encoder_hidden_states'], ['logits']);

  const padTokenId = generation.pad_token_id ?? config.pad_token_id ?? tokenizer.pad_token_id ?? 0;
  const eosTokenIds = asList(generation.eos_token_id ?? config.eos_token_id ?? tokenizer.eos_token_id ?? undefined);
  const decoderStartTokenId = generation.decoder_start_token_id ?? config.decoder_start_token_id ?? padTokenId;
  const limits = [context.contextLength, tokenizer.model_max_length, config.n_positions].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  const contextLength = limits.length === 0 ? undefined : Math.min(...limits);

  const { GenerationConfig, PretrainedConfig, T5ForConditionalGeneration, Tensor } = await loadTransformers();
  const model = new T5ForConditionalGeneration(
    new PretrainedConfig({ ...config, is_encoder_decoder: true }),
    // The class runs the sessions the accel backend made (docs/writing-a-skill.md).
    { model: encoder, decoder_model_merged: decoder } as unknown as ConstructorParameters<typeof T5ForConditionalGeneration>[1],
    {
      generation_config: new GenerationConfig({
        ...generation,
        decoder_start_token_id: decoderStartTokenId,
        eos_token_id: eosTokenIds,
        pad_token_id: padTokenId,
      } as ConstructorParameters<typeof GenerationConfig>[0]),
    },
  );

  return {
    async run(items, controls) {
      const outcomes: ItemOutcome<T5Output>[] = new Array<ItemOutcome<T5Output>>(items.length);
      const rows: Array<{ index: number; ids: number[] }> = [];
      items.forEach((item, index) => {
        const ids = tokenizer.encode(item.prompt);
        if (contextLength !== undefined && ids.length > contextLength) {
          outcomes[index] = {
            ok: false,
            error: new InvalidInputError({ reason: `the prompt is ${ids.length} tokens long, more than the encoder's context of ${contextLength} tokens` }),
          };
        } else {
          rows.push({ index, ids });
        }
      });
      if (rows.length === 0) return outcomes;

      const width = Math.max(...rows.map((row) => row.ids.length));
      const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padTokenId));
      const attentionMask = new BigInt64Array(rows.length * width);
      rows.forEach(({ ids }, row) => {
        ids.forEach((token, position) => {
          inputIds[row * width + position] = BigInt(token);
          attentionMask[row * width + position] = 1n;
        });
      });
      const generated = await generateRows({
        model,
        // core's GenerationTokenizer takes readonly ids, which transformers.js's decode type does not accept.
        tokenizer: { decode: (tokens, options) => tokenizer.decode([...tokens], options) },
        inputs: {
          input_ids: new Tensor('int64', inputIds, [rows.length, width]),
          attention_mask: new Tensor('int64', attentionMask, [rows.length, width]),
        },
        rows: rows.map(({ index }) => ({ options: items[index]!.options, control: controls[index]! })),
        eosTokenIds,
        padTokenId,
      });
      generated.forEach((result, position) => {
        const { index, ids } = rows[position]!;
        outcomes[index] = {
          ok: true,
          value: { text: result.text, stopReason: result.stopReason },
          timings: result.timings,
          usage: { inputTokens: ids.length, outputTokens: result.tokens.length },
        };
      });
      return outcomes;
    },
    async dispose() {
      await Promise.all([encoder.release(), decoder.release()]);
    },
  };
}
