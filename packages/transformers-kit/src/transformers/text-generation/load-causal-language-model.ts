import { generateRows, type GenerationModel, type GenerationTokenizer } from '../generate-rows.js';
import { InvalidInputError, InvalidModelError, type ItemOutcome, type LoadedSkillV1, modelFileForDtype, ModelNotFoundError, type ProvenanceNote, type SkillLoadContext } from '@accel/core';
import { loadTokenizer } from '../load-tokenizer.js';
import { loadTransformers } from '../load-transformers.js';
import { loadedTransformersTensorClass } from '../load-transformers.js';
import { withTransformersTensors } from '../transformers-tensors.js';
import { planDecoderLoop, runDecoderLoop } from './decoder-loop.js';
import { encodePrompt, type PromptTokenizer } from './encode-prompt.js';
import { planGenerationBatches, type PlannedRow } from './generation-batches.js';
import type { TextGenerationItem, TextGenerationOutput } from './text-generation-types.js';

/**
 * The decoder graph's session names across transformers.js exports, preferred first: `model` in newer
 * exports, `decoder_model_merged` in older ones (Xenova/opt-125m) — the same merged decoder with past key values.
 */
export const decoderSessionNames: readonly string[] = ['model', 'decoder_model_merged'];

type TokenIds = number | readonly number[] | null | undefined;

interface DecoderConfig {
  readonly model_type?: string;
  readonly max_position_embeddings?: number;
  readonly n_positions?: number;
  readonly bos_token_id?: TokenIds;
  readonly eos_token_id?: TokenIds;
  readonly pad_token_id?: TokenIds;
}

interface DecoderGenerationConfig {
  readonly bos_token_id?: TokenIds;
  readonly eos_token_id?: TokenIds;
  readonly pad_token_id?: TokenIds;
}

type ModelConstructor = new (config: unknown, sessions: Record<string, unknown>, configs: Record<string, unknown>) => GenerationModel;

function tokenIds(value: TokenIds): number[] {
  if (value === null || value === undefined) return [];
  return (typeof value === 'number' ? [value] : [...value]).filter((id) => Number.isInteger(id));
}

async function readOptionalJson<T>(context: SkillLoadContext, file: string): Promise<Partial<T>> {
  try {
    return await context.readJson<T>(file);
  } catch (error) {
    if (ModelNotFoundError.isInstance(error)) return {};
    throw error;
  }
}

/**
 * Loads a decoder-only language model (`onnx/model*.onnx` with a KV cache) into the transformers.js
 * class named for its `model_type` in `modelClasses`, built on the endpoint's session (seam 1; its
 * outputs are the tensors transformers.js expects, see `withTransformersTensors`),
 * and returns a loaded skill that generates for a batch of prompts: left-padded, streamed through
 * each item's control, each row with its own options and stop. A session with the layout
 * `planDecoderLoop` knows (GPT-2, Llama, Qwen2, Mistral, OPT exports) is driven by accel's own
 * loop (`runDecoderLoop`), which skips transformers.js's per-token costs; any other by
 * transformers.js's `generate`. Both pick, stop and stream tokens through `GenerationRowsState`.
 */
export async function loadCausalLanguageModel(
  context: SkillLoadContext,
  modelClasses: Readonly<Record<string, string>>,
): Promise<LoadedSkillV1<TextGenerationItem, TextGenerationOutput>> {
  const modelId = context.model.id;
  const config = await context.readJson<DecoderConfig>('config.json');
  const className = modelClasses[config.model_type ?? ''];
  if (className === undefined) {
    throw new InvalidModelError({
      model: modelId,
      file: 'config.json',
      reason: `model_type ${String(config.model_type)} is not served by this skill (it serves ${Object.keys(modelClasses).join(', ')})`,
    });
  }
  const generationJson = await readOptionalJson<DecoderGenerationConfig>(context, 'generation_config.json');
  const tokenizer = await loadTokenizer(context);
  const transformers = await loadTransformers();
  const ModelClass = (transformers as unknown as Record<string, ModelConstructor | undefined>)[className];
  if (ModelClass === undefined) throw new InvalidModelError({ model: modelId, file: 'config.json', reason: `transformers.js has no class ${className}` });

  const session = await context.createSession(decoderSessionNames);
  const missing = [
    ...['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name)),
    ...['logits'].filter((name) => !session.outputNames.includes(name)),
  ];
  if (missing.length > 0) {
    await session.release();
    throw new InvalidModelError({
      model: modelId,
      file: modelFileForDtype('model', context.dtype),
      reason: `a causal language model needs input_ids and attention_mask inputs and a logits output; missing ${missing.join(', ')} (inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}])`,
    });
  }

  const eosTokenIds = tokenIds(generationJson.eos_token_id ?? config.eos_token_id ?? tokenizer.eos_token_id);
  const padTokenId = tokenIds(generationJson.pad_token_id ?? config.pad_token_id ?? tokenizer.pad_token_id)[0] ?? eosTokenIds[0] ?? 0;
  const bosTokenId = tokenIds(generationJson.bos_token_id ?? config.bos_token_id)[0];
  // Only the token ids: sampling, penalties and stops are accel's (generateRows), so a model's
  // own generation defaults (do_sample, temperature, …) cannot change what a request asks for.
  const generationConfig = new transformers.GenerationConfig({
    ...(bosTokenId === undefined ? {} : { bos_token_id: bosTokenId }),
    eos_token_id: eosTokenIds,
    pad_token_id: padTokenId,
  } as ConstructorParameters<typeof transformers.GenerationConfig>[0]);
  // transformers.js's model reads the session's outputs as its own tensor class (seam 1).
  const model = new ModelClass(new transformers.PretrainedConfig(config as never), { model: withTransformersTensors(session, loadedTransformersTensorClass) }, { generation_config: generationConfig });
  // accel's own loop where the session has the layout it knows; transformers.js's generate otherwise.
  const plan = planDecoderLoop(session);

  const decoder = tokenizer as unknown as GenerationTokenizer;
  const limits = [context.contextLength, config.max_position_embeddings ?? config.n_positions, tokenizer.model_max_length as unknown];
  const contextLength = Math.min(...limits.filter((limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0), Number.MAX_SAFE_INTEGER);

  return {
    async run(items, controls) {
      const startedAt = performance.now();
      const outcomes = new Array<ItemOutcome<TextGenerationOutput>>(items.length);
      const notes = new Map<number, ProvenanceNote>();
      const rows: PlannedRow[] = [];
      items.forEach((item, index) => {
        try {
          const prompt = encodePrompt(tokenizer as unknown as PromptTokenizer, item.input, modelId);
          const room = contextLength - prompt.length;
          if (room <= 0) {
            throw new InvalidInputError({ reason: `the prompt is ${prompt.length} tokens and the context holds ${contextLength}, which leaves no room to generate` });
          }
          if (item.options.maxNewTokens > room) {
            notes.set(index, { kind: 'truncated', message: `maxNewTokens ${item.options.maxNewTokens} cut to ${room}: the prompt takes ${prompt.length} of the ${contextLength}-token context` });
          }
          rows.push({ index, prompt, maxNewTokens: Math.min(item.options.maxNewTokens, room) });
        } catch (error) {
          outcomes[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      });

      for (const group of planGenerationBatches(rows, contextLength)) {
        const live = group.filter((row) => {
          if (!controls[row.index]?.signal.aborted) return true;
          outcomes[row.index] = { ok: true, value: { text: '', tokens: [], stopReason: 'aborted' }, usage: { inputTokens: row.prompt.length, outputTokens: 0 } };
          return false;
        });
        if (live.length === 0) continue;
        const groupStartedAt = performance.now();
        const width = Math.max(...live.map((row) => row.prompt.length));
        const ids = new BigInt64Array(live.length * width).fill(BigInt(padTokenId));
        const mask = new BigInt64Array(live.length * width);
        live.forEach((row, position) => {
          const offset = position * width + width - row.prompt.length;
          row.prompt.forEach((token, index) => {
            ids[offset + index] = BigInt(token);
            mask[offset + index] = 1n;
          });
        });
        const generationRows = live.map((row) => ({
          options: { ...items[row.index]!.options, maxNewTokens: row.maxNewTokens },
          ...(controls[row.index] === undefined ? {} : { control: controls[row.index]! }),
        }));
        const generated =
          typeof plan === 'string'
            ? await generateRows({
                model,
                tokenizer: decoder,
                inputs: {
                  input_ids: new transformers.Tensor('int64', ids, [live.length, width]),
                  attention_mask: new transformers.Tensor('int64', mask, [live.length, width]),
                },
                rows: generationRows,
                eosTokenIds,
              })
            : await runDecoderLoop({ session, plan, tokenizer: decoder, inputIds: ids, attentionMask: mask, width, rows: generationRows, eosTokenIds });
        generated.forEach((result, position) => {
          const { index, prompt } = live[position]!;
          const { text } = result;
          const note = notes.get(index);
          outcomes[index] = {
            ok: true,
            value: { text, tokens: result.tokens, stopReason: result.stopReason },
            timings: { ...result.timings, timeToFirstTokenMs: result.timings.timeToFirstTokenMs + (groupStartedAt - startedAt) },
            usage: { inputTokens: prompt.length, outputTokens: result.tokens.length },
            ...(note === undefined ? {} : { notes: [note] }),
          };
        });
      }
      return outcomes;
    },
    dispose: () => session.release(),
  };
}
