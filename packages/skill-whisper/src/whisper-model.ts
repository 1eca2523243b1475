import {
  AbortedError,
  InvalidInputError,
  InvalidModelError,
  type InferenceSessionV1,
  type ItemControl,
  type ItemOutcome,
  type LoadedSkillV1,
  type ProvenanceNote,
  type SkillLoadContext,
} from '@accel/core';
import { generateRows, loadTokenizer, loadTransformers, withTransformersTensorOutputs, type GenerationRow } from '@accel/transformers-kit';
import { decodeAudio } from '@accel/core/media';
import { splitIntoWindows, type AudioWindow } from './audio-windows.js';
import { createLogMelExtractor } from './log-mel.js';
import { applyTokenRules, type RowRules, type TokenRules } from './token-rules.js';
import { stitchTranscript, type AsrDecoder } from './transcript.js';
import type { WhisperItem } from './whisper-prepare.js';
import type { WhisperTranscript } from './whisper-schemas.js';

interface WhisperConfig {
  readonly model_type?: string;
  readonly max_source_positions?: number;
  readonly max_target_positions?: number;
  readonly [key: string]: unknown;
}

interface WhisperGenerationConfig {
  readonly decoder_start_token_id?: number;
  readonly eos_token_id?: number | number[];
  readonly no_timestamps_token_id?: number;
  readonly is_multilingual?: boolean;
  readonly lang_to_id?: Record<string, number>;
  readonly task_to_id?: Record<string, number>;
  readonly max_initial_timestamp_index?: number;
  readonly begin_suppress_tokens?: number[];
  readonly [key: string]: unknown;
}

interface PreprocessorConfig {
  readonly sampling_rate?: number;
  readonly chunk_length?: number;
  readonly [key: string]: unknown;
}

/** Windows decoded by one `generate` call at most: the encoder's attention over 1,500 positions grows with each. */
export const windowsPerGenerate = 8;
/** Each window overlaps its neighbours by this much on both sides (the transformers.js pipeline's default, chunk ÷ 6). */
export const strideSeconds = 5;

/** One window of one item, on its way through the decoder. */
interface PendingWindow {
  readonly window: AudioWindow;
  /** The decoder's input: the previous-text tokens, if any, then `start` (the start, language, task … tokens). */
  readonly prompt: readonly number[];
  /** The control tokens the transcript's tokens begin with (what the stitching reads). */
  readonly start: readonly number[];
  readonly row: GenerationRow;
  readonly rules: RowRules;
  /** `start` and the generated tokens, once decoded. */
  tokens: number[];
  generated: number;
}

/** An item whose audio decoded and whose options suit the model. */
interface ReadyItem {
  readonly duration: number;
  /** Tokens of the caller's previous-text prompt the decoder reads (per window). */
  readonly promptTextTokens: number;
  readonly windows: PendingWindow[];
  readonly notes: ProvenanceNote[];
}

function invalidModel(context: SkillLoadContext, file: string, reason: string): InvalidModelError {
  return new InvalidModelError({ model: context.model.id, file, reason });
}

function requireSessionNames(context: SkillLoadContext, session: InferenceSessionV1, file: string, inputs: string[], outputs: string[]): void {
  const missing = [...inputs.filter((name) => !session.inputNames.includes(name)), ...outputs.filter((name) => !session.outputNames.includes(name))];
  if (missing.length > 0) {
    throw invalidModel(context, file, `missing ${missing.join(', ')} (found inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}])`);
  }
}

/**
 * Loads Whisper on the endpoint's backend: `onnx/encoder_model` and `onnx/decoder_model_merged`
 * sessions handed to transformers.js's `WhisperForConditionalGeneration`, its tokenizer, and a
 * log-mel front end equal to its `WhisperFeatureExtractor`.
 */
export async function loadWhisperModel(context: SkillLoadContext): Promise<LoadedSkillV1<WhisperItem, WhisperTranscript>> {
  const transformers = await loadTransformers();
  const config = await context.readJson<WhisperConfig>('config.json');
  if (config.model_type !== 'whisper') throw invalidModel(context, 'config.json', `model_type is ${String(config.model_type)}, expected whisper`);
  const generationConfig = await context.readJson<WhisperGenerationConfig>('generation_config.json');
  const preprocessorConfig = await context.readJson<PreprocessorConfig>('preprocessor_config.json');
  const { decoder_start_token_id: startToken, no_timestamps_token_id: noTimestampsToken } = generationConfig;
  const endOfText = Array.isArray(generationConfig.eos_token_id) ? generationConfig.eos_token_id[0] : generationConfig.eos_token_id;
  if (startToken === undefined || noTimestampsToken === undefined || endOfText === undefined) {
    throw invalidModel(context, 'generation_config.json', 'needs decoder_start_token_id, eos_token_id and no_timestamps_token_id');
  }
  const multilingual = generationConfig.is_multilingual ?? generationConfig.lang_to_id !== undefined;
  if (multilingual && (generationConfig.lang_to_id === undefined || generationConfig.task_to_id === undefined)) {
    throw invalidModel(context, 'generation_config.json', 'a multilingual model needs lang_to_id and task_to_id');
  }
  const tokenizer = await loadTokenizer(context);
  const logMel = createLogMelExtractor(new transformers.WhisperFeatureExtractor(preprocessorConfig));
  const sampleRate = preprocessorConfig.sampling_rate ?? 16000;
  const windowSeconds = preprocessorConfig.chunk_length ?? 30;
  const timePrecision = windowSeconds / (config.max_source_positions ?? 1500);
  const maxTargetPositions = config.max_target_positions ?? 448;

  // transformers.js's Whisper class runs these sessions and checks their outputs' tensor class.
  const sessions = withTransformersTensorOutputs(context);
  const encoder = await sessions.createSession('encoder_model');
  const decoder = await sessions.createSession('decoder_model_merged');
  requireSessionNames(context, encoder, 'onnx/encoder_model.onnx', ['input_features'], ['last_hidden_state']);
  requireSessionNames(context, decoder, 'onnx/decoder_model_merged.onnx', ['input_ids', 'encoder_hidden_states'], ['logits']);
  const model = new transformers.WhisperForConditionalGeneration(
    new transformers.PretrainedConfig(config),
    { model: encoder, decoder_model_merged: decoder },
    { generation_config: generationConfig },
  );
  const timestampBegin = noTimestampsToken + 1;
  const tokenRules: TokenRules = {
    endOfText,
    timestampBegin,
    // Special tokens below the timestamps other than end-of-text: start, languages, tasks, no-timestamps, ….
    controlTokens: tokenizer.all_special_ids.filter((token) => token !== endOfText && token < timestampBegin),
    beginSuppressTokens: generationConfig.begin_suppress_tokens ?? [],
    maxInitialTimestampIndex: generationConfig.max_initial_timestamp_index ?? undefined,
  };
  const textOnly = {
    decode(tokens: readonly number[], options?: { skip_special_tokens?: boolean }) {
      const text = tokens.filter((token) => token < timestampBegin);
      return text.length === 0 ? '' : tokenizer.decode(text, options);
    },
  };

  const startOfPrevious = tokenizer.get_vocab().get('<|startofprev|>');

  /** The tokens of a previous-text prompt, as Whisper's `get_prompt_ids`: `<|startofprev|>`, then the text's last tokens (at most half the decoder's positions). */
  function previousTextFor(item: WhisperItem): number[] | InvalidInputError {
    const text = item.settings.prompt;
    if (text === undefined) return [];
    if (startOfPrevious === undefined) {
      return new InvalidInputError({ reason: `options.prompt: model ${context.model.id} has no <|startofprev|> token`, ...(item.index === undefined ? {} : { index: item.index }) });
    }
    const ids = tokenizer.encode(` ${text.trim()}`, { add_special_tokens: false });
    return [startOfPrevious, ...ids.slice(-(Math.floor(maxTargetPositions / 2) - 1))];
  }

  /** The decoder's start tokens for an item, or why the model cannot honour its options. */
  function promptFor(item: WhisperItem): number[] | InvalidInputError {
    const { settings } = item;
    const fail = (reason: string) => new InvalidInputError({ reason, ...(item.index === undefined ? {} : { index: item.index }) });
    const prompt = [startToken!];
    if (multilingual) {
      const language = settings.language ?? 'en';
      const languageToken = generationConfig.lang_to_id![`<|${language}|>`];
      if (languageToken === undefined) return fail(`model ${context.model.id} has no <|${language}|> token`);
      const taskToken = generationConfig.task_to_id![settings.task ?? 'transcribe'];
      if (taskToken === undefined) return fail(`model ${context.model.id} cannot ${settings.task ?? 'transcribe'}`);
      prompt.push(languageToken, taskToken);
    } else if (settings.language !== undefined && settings.language !== 'en') {
      // The reason names its option, so an HTTP error can point at the request field.
      return fail(`options.language: model ${context.model.id} is English-only: it transcribes English (en), not ${settings.language}`);
    } else if (settings.task === 'translate') {
      return fail(`options.task: model ${context.model.id} is English-only: it cannot translate`);
    }
    if (!settings.returnTimestamps) prompt.push(noTimestampsToken!);
    return prompt;
  }

  async function prepareItem(item: WhisperItem, control: ItemControl): Promise<ReadyItem> {
    const start = promptFor(item);
    if (!Array.isArray(start)) throw start;
    const previous = previousTextFor(item);
    if (!Array.isArray(previous)) throw previous;
    const prompt = [...previous, ...start];
    // An unreadable, empty, corrupt or truncated file is this item's one-line InvalidInputError.
    const { samples, duration } = await decodeAudio(item.audio, sampleRate, item.index);
    const limit = maxTargetPositions - prompt.length;
    const notes: ProvenanceNote[] = [];
    const requested = item.settings.generation.maxNewTokens;
    if (item.settings.maxNewTokensGiven && requested > limit) {
      notes.push({ kind: 'info', message: `maxNewTokens ${requested} capped to ${limit} per window (max_target_positions ${maxTargetPositions} less the ${prompt.length}-token prompt)` });
    }
    const options = { ...item.settings.generation, maxNewTokens: item.settings.maxNewTokensGiven ? Math.min(requested, limit) : limit };
    // Rows never stream (a transcript is stitched after its last window), but they stop when the request is cancelled.
    const rowControl: ItemControl = { signal: control.signal, emit: () => undefined };
    const windows = splitIntoWindows(samples, sampleRate, windowSeconds, strideSeconds).map(
      (window): PendingWindow => ({
        window,
        prompt,
        start,
        row: { options, control: rowControl },
        rules: {
          returnTimestamps: item.settings.returnTimestamps,
          lastTimestampIndex: Math.min(Math.round(windowSeconds / timePrecision), Math.ceil(window.seconds / timePrecision - 1e-9)),
        },
        tokens: [],
        generated: 0,
      }),
    );
    return { duration, promptTextTokens: Math.max(0, previous.length - 1), windows, notes };
  }

  async function generate(windows: readonly PendingWindow[]): Promise<void> {
    const prompt = windows[0]!.prompt;
    const features = await logMel.extract(windows.map(({ window }) => window.samples));
    const rules = windows.map((window) => window.rules);
    class TokenRulesProcessor extends transformers.LogitsProcessor {
      override _call(inputIds: bigint[][], logits: Parameters<InstanceType<typeof transformers.LogitsProcessor>['_call']>[1]) {
        const rows = logits as unknown as { [row: number]: { data: Float32Array } };
        inputIds.forEach((ids, row) => applyTokenRules(rows[row]!.data, ids.slice(prompt.length).map(Number), tokenRules, rules[row]!));
        return logits;
      }
    }
    const processor = new TokenRulesProcessor();
    const generated = await generateRows({
      model: {
        generate: (options) => model.generate({ ...options, logits_processor: [processor, ...(options.logits_processor as unknown[])] } as never),
      },
      tokenizer: textOnly,
      inputs: { inputs: new transformers.Tensor('float32', features.data, features.dims) },
      rows: windows.map((window) => window.row),
      eosTokenIds: [endOfText!],
      // One prompt row per window (a single row would not match the encoder's batch). transformers.js
      // would apply begin_suppress_tokens at the wrong step for a 2-D prompt; the token rules do it.
      generateOptions: { decoder_input_ids: windows.map(() => [...prompt]), return_timestamps: false, begin_suppress_tokens: null },
    });
    generated.forEach((row, index) => {
      const window = windows[index]!;
      // The stitching reads from the start tokens on; the previous text is the decoder's context, not transcript.
      window.tokens = [...window.start, ...row.tokens];
      window.generated = row.tokens.length;
    });
  }

  return {
    async run(items, controls) {
      const startedAt = performance.now();
      const prepared = await Promise.all(
        items.map((item, index) =>
          controls[index]!.signal.aborted
            ? Promise.reject(new AbortedError({ reason: 'the request was cancelled before its audio was read' }))
            : prepareItem(item, controls[index]!),
        ).map((promise) => promise.then((value): ReadyItem | Error => value, (error: unknown): Error => (error instanceof Error ? error : new Error(String(error))))),
      );
      const ready = prepared.filter((entry): entry is ReadyItem => !(entry instanceof Error));
      const groups = new Map<string, PendingWindow[]>();
      for (const window of ready.flatMap((entry) => entry.windows)) {
        const key = window.prompt.join(',');
        groups.set(key, [...(groups.get(key) ?? []), window]);
      }
      for (const group of groups.values()) {
        for (let start = 0; start < group.length; start += windowsPerGenerate) await generate(group.slice(start, start + windowsPerGenerate));
      }
      const transcripts = prepared.map((entry, index): WhisperTranscript | Error => {
        if (entry instanceof Error) return entry;
        const { settings } = items[index]!;
        const decoded = entry.windows.map(({ tokens, window }) => ({ tokens, stride: window.stride }));
        const { text, chunks } = stitchTranscript(tokenizer as unknown as AsrDecoder, decoded, {
          returnTimestamps: settings.returnTimestamps,
          timePrecision,
          duration: entry.duration,
        });
        return {
          text,
          ...(chunks === undefined ? {} : { chunks }),
          duration: entry.duration,
          windows: entry.windows.length,
          ...(multilingual ? { language: settings.language ?? 'en', task: settings.task ?? 'transcribe' } : {}),
        };
      });
      // Seconds this batch took (decoding, log-mel, encoder, decoder, stitching) per second of its audio.
      const audioSeconds = ready.reduce((total, entry) => total + entry.duration, 0);
      const realtimeFactor = (performance.now() - startedAt) / 1000 / audioSeconds;
      return transcripts.map((value, index): ItemOutcome<WhisperTranscript> => {
        if (value instanceof Error) return { ok: false, error: value };
        const { notes, windows, promptTextTokens } = prepared[index] as ReadyItem;
        // Per window (overlaps included): the tokens decoded, and the caller's prompt text the decoder read.
        const usage = { inputTokens: promptTextTokens * windows.length, outputTokens: windows.reduce((total, window) => total + window.generated, 0) };
        return { ok: true, value, timings: { realtimeFactor }, usage, ...(notes.length > 0 ? { notes } : {}) };
      });
    },
    async dispose() {
      await Promise.all([encoder.release(), decoder.release()]);
    },
  };
}
