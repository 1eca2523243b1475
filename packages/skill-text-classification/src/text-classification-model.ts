import { InvalidModelError, type ItemOutcome, type LoadedSkillV1, modelFileForDtype, type SkillLoadContext } from '@accel/core';
import { buildTokenFeeds, encodeTexts, loadTextTokenizer } from '@accel/transformers-kit/encoders';
import type { TextClassificationItem } from './text-classification-prepare.js';

/** The parts of a sequence-classification config.json this skill reads. */
interface ClassificationConfig {
  readonly id2label?: Readonly<Record<string, string>>;
  readonly problem_type?: string;
  readonly max_position_embeddings?: number;
  readonly pad_token_id?: number;
}

/**
 * One text's result from the model: its logits, with what `doAssemble` needs to score and name them
 * (it runs where the model's config is not at hand).
 */
export interface TextClassificationLogits {
  readonly logits: Float32Array;
  /** `id2label` in logit order. */
  readonly labels: readonly string[];
  /** config.json says `problem_type: "multi_label_classification"`: sigmoid scores by default. */
  readonly multiLabel: boolean;
}

/** `id2label` as a list in logit order; a missing index is `LABEL_<index>`, as transformers.js names it. */
export function labelsOf(config: ClassificationConfig, width: number): string[] {
  return Array.from({ length: width }, (_, index) => config.id2label?.[String(index)] ?? `LABEL_${index}`);
}

/**
 * Loads a `*ForSequenceClassification` export (`onnx/model*.onnx`: `input_ids`, `attention_mask`,
 * and `token_type_ids` when the session declares it → `logits` [batch, labels]) with the folder's
 * tokenizer. A batch is right-padded to its longest text; only the inputs the session declares are
 * fed, so BERT and DistilBERT exports both work. Texts longer than the context are cut to it,
 * keeping the closing special token, with a `truncated` note. Each item reports the tokens it used as its `usage`.
 */
export async function loadTextClassificationModel(context: SkillLoadContext): Promise<LoadedSkillV1<TextClassificationItem, TextClassificationLogits>> {
  const config = await context.readJson<ClassificationConfig>('config.json');
  const tokenizer = await loadTextTokenizer(context);
  const session = await context.createSession('model');
  if (!session.inputNames.includes('input_ids') || !session.outputNames.includes('logits')) {
    await session.release();
    throw new InvalidModelError({
      model: context.model.id,
      file: modelFileForDtype('model', context.dtype),
      reason: `expected an input_ids input and a logits output (a *ForSequenceClassification export), found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    });
  }
  const limits = [context.contextLength, config.max_position_embeddings, tokenizer.model_max_length].filter(
    (limit): limit is number => typeof limit === 'number' && Number.isFinite(limit) && limit > 0,
  );
  const contextLength = Math.min(...limits, Number.MAX_SAFE_INTEGER);
  const padTokenId = tokenizer.pad_token_id ?? config.pad_token_id ?? 0;
  const multiLabel = config.problem_type === 'multi_label_classification';

  return {
    async run(items) {
      const { sequences, notes } = encodeTexts(tokenizer, items, contextLength);
      const { feeds } = buildTokenFeeds(session.inputNames, sequences, padTokenId);
      const outputs = await session.run(feeds);
      const logits = outputs.logits!;
      const width = logits.dims[1] ?? 0;
      if (logits.dims.length !== 2 || logits.dims[0] !== items.length || width < 1) {
        throw new InvalidModelError({
          model: context.model.id,
          file: modelFileForDtype('model', context.dtype),
          reason: `expected logits of shape [${items.length}, labels], got [${logits.dims.join(', ')}]`,
        });
      }
      const labels = labelsOf(config, width);
      const data = logits.data as Float32Array;
      return items.map((_, row): ItemOutcome<TextClassificationLogits> => {
        const value = { logits: data.slice(row * width, (row + 1) * width), labels, multiLabel };
        const note = notes[row];
        // The tokens the model read for this text: special tokens included, after truncation.
        const usage = { inputTokens: sequences[row]!.length, outputTokens: 0 };
        return note === undefined ? { ok: true, value, usage } : { ok: true, value, usage, notes: [note] };
      });
    },
    dispose: () => session.release(),
  };
}
