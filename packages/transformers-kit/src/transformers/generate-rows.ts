import type { ResolvedGenerationOptions, StopReason } from '../generation/generation-options.js';
import { sampleToken } from '../generation/sample-token.js';
import { createSeededRandom } from '../generation/seeded-random.js';
import { StopStringMatcher } from '../generation/stop-strings.js';
import type { ItemControl } from '@accel/core';
import { loadTransformers } from './load-transformers.js';

/** One sequence of a generation batch: its options and, when it streams, its controls. */
export interface GenerationRow {
  readonly options: ResolvedGenerationOptions;
  readonly control?: ItemControl;
}

/** What one row generated, cut at its own stop. */
export interface GeneratedRow {
  readonly tokens: number[];
  readonly text: string;
  readonly stopReason: StopReason;
  readonly timings: { readonly timeToFirstTokenMs: number; readonly tokensPerSecond: number; readonly tokensGenerated: number };
}

/** The parts of a transformers.js model and tokenizer that generation uses. */
export interface GenerationModel {
  generate(options: Record<string, unknown>): Promise<unknown>;
}
export interface GenerationTokenizer {
  decode(tokens: number[], options?: { skip_special_tokens?: boolean }): string;
}

export interface GenerateRowsOptions {
  readonly model: GenerationModel;
  readonly tokenizer: GenerationTokenizer;
  /** Model inputs for `generate` (e.g. `input_ids`, `attention_mask`, `pixel_values`), one row per `rows` entry. */
  readonly inputs: Record<string, unknown>;
  readonly rows: readonly GenerationRow[];
  /** Token ids that end a sequence. */
  readonly eosTokenIds: readonly number[];
  /** Token written into a row after it stopped, while other rows continue. Default: the first eos id. */
  readonly padTokenId?: number;
  /** Extra `generate` options (e.g. `generation_config`, forced decoder ids). */
  readonly generateOptions?: Record<string, unknown>;
}

/**
 * A character whose UTF-8 bytes span several byte-level tokens decodes as U+FFFD until its last
 * token arrives; such a tail is held back from the stream until generation ends.
 */
const incompleteCharacter = /\uFFFD+$/u;

interface RowState {
  readonly options: ResolvedGenerationOptions;
  readonly control: ItemControl | undefined;
  readonly random: () => number;
  readonly matcher: StopStringMatcher;
  readonly tokens: number[];
  stopReason: StopReason | undefined;
  firstTokenAt: number | undefined;
  lastTokenAt: number | undefined;
}

/**
 * Runs transformers.js `generate` for a batch of rows with accel's options: each row is decoded
 * greedily or sampled from its own seeded generator (through a logits processor that leaves only
 * the chosen token), streams its text through its control with stop strings held back, and stops
 * on eos, its own `maxNewTokens`, a stop string, or its abort signal. The batch ends when every
 * row has stopped.
 */
export async function generateRows({ model, tokenizer, inputs, rows, eosTokenIds, padTokenId, generateOptions }: GenerateRowsOptions): Promise<GeneratedRow[]> {
  const { LogitsProcessor, StoppingCriteria, BaseStreamer } = await loadTransformers();
  const fillToken = padTokenId ?? eosTokenIds[0] ?? 0;
  const eos = new Set(eosTokenIds);
  const startedAt = performance.now();
  const states: RowState[] = rows.map(({ options, control }) => ({
    options,
    control,
    random: createSeededRandom(options.seed),
    matcher: new StopStringMatcher(options.stop),
    tokens: [],
    stopReason: undefined,
    firstTokenAt: undefined,
    lastTokenAt: undefined,
  }));

  const stop = (state: RowState, reason: StopReason) => {
    state.stopReason ??= reason;
  };

  class AccelSampler extends LogitsProcessor {
    override _call(inputIds: bigint[][], logits: Parameters<InstanceType<typeof LogitsProcessor>['_call']>[1]) {
      const rows = logits as unknown as { [row: number]: { data: Float32Array } };
      states.forEach((state, row) => {
        const data = rows[row]!.data;
        const chosen =
          state.stopReason !== undefined || state.control?.signal.aborted
            ? fillToken
            : sampleToken(data, inputIds[row]!.map(Number), state.options, state.random);
        data.fill(Number.NEGATIVE_INFINITY);
        data[chosen] = 0;
      });
      return logits;
    }
  }

  class AccelStreamer extends BaseStreamer {
    private promptSeen = false;

    override put(value: bigint[][]) {
      if (!this.promptSeen) {
        this.promptSeen = true;
        return;
      }
      const now = performance.now();
      states.forEach((state, row) => {
        if (state.stopReason !== undefined) return;
        if (state.control?.signal.aborted) return stop(state, 'aborted');
        const token = Number(value[row]![0]);
        if (eos.has(token)) return stop(state, 'eos');
        state.tokens.push(token);
        state.firstTokenAt ??= now;
        state.lastTokenAt = now;
        const decoded = tokenizer.decode(state.tokens, { skip_special_tokens: true }).replace(incompleteCharacter, '');
        const { emit, stopped } = state.matcher.update(decoded);
        if (emit.length > 0) state.control?.emit(emit);
        if (stopped) stop(state, 'stop-string');
        else if (state.tokens.length >= state.options.maxNewTokens) stop(state, 'length');
      });
    }

    override end() {
      for (const state of states) {
        if (state.stopReason === 'stop-string' || state.tokens.length === 0) continue;
        const { emit, stopped } = state.matcher.update(tokenizer.decode(state.tokens, { skip_special_tokens: true }));
        if (emit.length > 0) state.control?.emit(emit);
        if (stopped) {
          state.stopReason = 'stop-string';
          continue;
        }
        const rest = state.matcher.flush();
        if (rest.length > 0) state.control?.emit(rest);
      }
    }
  }

  class AccelStopping extends StoppingCriteria {
    override _call() {
      return states.map((state) => state.stopReason !== undefined || state.control?.signal.aborted === true);
    }
  }

  await model.generate({
    ...inputs,
    ...generateOptions,
    max_new_tokens: Math.max(...states.map((state) => state.options.maxNewTokens)),
    do_sample: false,
    logits_processor: [new AccelSampler()],
    stopping_criteria: [new AccelStopping()],
    streamer: new AccelStreamer(),
  });

  return states.map((state) => {
    const count = state.tokens.length;
    const decodeSeconds = state.firstTokenAt !== undefined && state.lastTokenAt !== undefined ? (state.lastTokenAt - state.firstTokenAt) / 1000 : 0;
    return {
      tokens: state.tokens,
      text: state.matcher.finalText(),
      stopReason: state.stopReason ?? (state.control?.signal.aborted ? 'aborted' : 'length'),
      timings: {
        timeToFirstTokenMs: (state.firstTokenAt ?? performance.now()) - startedAt,
        tokensPerSecond: count > 1 && decodeSeconds > 0 ? (count - 1) / decodeSeconds : 0,
        tokensGenerated: count,
      },
    };
  });
}
