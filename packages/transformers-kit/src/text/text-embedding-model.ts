import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, modelFileForDtype, type SkillLoadContext } from '@accel/core';
import { clsPool, l2Normalize, meanPool } from '../math/vector.js';
import type { TextTokenizer } from './text-tokenizer.js';
import { buildTokenFeeds, encodeTexts } from './token-feeds.js';

export type TextPooling = 'cls' | 'mean';

/** One text to embed, with how to pool and whether to normalise it. */
export interface TextEmbeddingItem {
  readonly text: string;
  readonly pooling: TextPooling;
  readonly normalize: boolean;
}

interface EncoderConfig {
  readonly max_position_embeddings?: number;
  readonly pad_token_id?: number;
}

/**
 * Loads a BERT-style encoder (`onnx/model*.onnx` → `last_hidden_state`) as a text-embedding
 * model. Texts longer than the context are cut to it, keeping the closing special token, and the
 * item's outcome carries a `truncated` note. Each item reports the tokens it used as its `usage`.
 */
export async function loadTextEmbeddingModel(
  context: SkillLoadContext,
  tokenizer: TextTokenizer,
): Promise<LoadedSkillV1<TextEmbeddingItem, Float32Array>> {
  const config = await context.readJson<EncoderConfig>('config.json');
  const session = await context.createSession('model');
  if (!session.inputNames.includes('input_ids') || !session.outputNames.includes('last_hidden_state')) {
    await session.release();
    throw new InvalidModelError({
      model: context.model.id,
      file: modelFileForDtype('model', context.dtype),
      reason: `expected an input_ids input and a last_hidden_state output, found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    });
  }
  const limits = [context.contextLength, config.max_position_embeddings, tokenizer.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  const contextLength = Math.min(...limits, Number.MAX_SAFE_INTEGER);
  const padTokenId = tokenizer.pad_token_id ?? config.pad_token_id ?? 0;

  return {
    async run(items) {
      const { sequences, notes } = encodeTexts(tokenizer, items.map((item) => item.text), contextLength);
      const { feeds, mask } = buildTokenFeeds(session.inputNames, sequences, padTokenId);
      const outputs = await session.run(feeds);
      const hidden = outputs.last_hidden_state!;
      const states = { data: hidden.data as Float32Array, dims: hidden.dims };
      const mean = items.some((item) => item.pooling === 'mean') ? meanPool(states, mask) : [];
      const cls = items.some((item) => item.pooling === 'cls') ? clsPool(states) : [];
      return items.map((item, index): ItemOutcome<Float32Array> => {
        const pooled = (item.pooling === 'mean' ? mean : cls)[index]!;
        const value = item.normalize ? l2Normalize(pooled) : pooled;
        const note = notes[index];
        // The tokens the model read for this text: special tokens included, after truncation.
        const usage = { inputTokens: sequences[index]!.length, outputTokens: 0 };
        return note === undefined ? { ok: true, value, usage } : { ok: true, value, usage, notes: [note] };
      });
    },
    dispose: () => session.release(),
  };
}
