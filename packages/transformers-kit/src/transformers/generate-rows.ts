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
 * The rows of one generation batch, whoever runs the model: picks each row's next token (greedy or
 * sampled from its own seeded generator; a filler token once it stopped), takes each step's tokens
 * (stops on eos, `maxNewTokens`, a stop string or the abort signal; streams text with stop strings
 * held back) and says when every row has stopped. transformers.js's `generate` drives it through
 * `generateRows`; the text-generation skill's own decoder loop drives it directly.
 */
export class GenerationRowsState {
  private readonly states: RowState[];
  private readonly eos: Set<number>;
  private readonly fillToken: number;
  private readonly startedAt = performance.now();
  /** The most tokens any row may generate: the batch's step count. */
  readonly maxNewTokens: number;

  constructor(
    rows: readonly GenerationRow[],
    private readonly tokenizer: GenerationTokenizer,
    eosTokenIds: readonly number[],
    padTokenId?: number,
  ) {
    this.eos = new Set(eosTokenIds);
    this.fillToken = padTokenId ?? eosTokenIds[0] ?? 0;
    this.states = rows.map(({ options, control }) => ({
      options,
      control,
      random: createSeededRandom(options.seed),
      matcher: new StopStringMatcher(options.stop),
      tokens: [],
      stopReason: undefined,
      firstTokenAt: undefined,
      lastTokenAt: undefined,
    }));
    this.maxNewTokens = Math.max(...this.states.map((state) => state.options.maxNewTokens));
  }

  /** Whether row `row` has stopped or was aborted: it only takes filler tokens from now on. */
  stopped(row: number): boolean {
    const state = this.states[row]!;
    return state.stopReason !== undefined || state.control?.signal.aborted === true;
  }

  /** Whether every row has stopped: the batch ends. */
  get done(): boolean {
    return this.states.every((_, row) => this.stopped(row));
  }

  /** Row `row`'s next token from its logits at the last position; `previousTokens` (the row's whole sequence, padding included) feeds the repetition penalty. */
  choose(row: number, logits: ArrayLike<number>, previousTokens: () => readonly number[]): number {
    const state = this.states[row]!;
    if (this.stopped(row)) return this.fillToken;
    return sampleToken(logits, state.options.repetitionPenalty === 1 ? [] : previousTokens(), state.options, state.random);
  }

  /** Takes one step's token per row: records it, streams its text, and stops the rows it ends. */
  accept(tokens: readonly number[]): void {
    const now = performance.now();
    this.states.forEach((state, row) => {
      if (state.stopReason !== undefined) return;
      if (state.control?.signal.aborted) return this.stop(state, 'aborted');
      const token = tokens[row]!;
      if (this.eos.has(token)) return this.stop(state, 'eos');
      state.tokens.push(token);
      state.firstTokenAt ??= now;
      state.lastTokenAt = now;
      // Nobody streams this row and no stop string can end it: its text is decoded once, at the end.
      if (!this.streamsText(state)) {
        if (state.tokens.length >= state.options.maxNewTokens) this.stop(state, 'length');
        return;
      }
      const decoded = this.tokenizer.decode(state.tokens, { skip_special_tokens: true }).replace(incompleteCharacter, '');
      const { emit, stopped } = state.matcher.update(decoded);
      if (emit.length > 0) state.control?.emit(emit);
      if (stopped) this.stop(state, 'stop-string');
      else if (state.tokens.length >= state.options.maxNewTokens) this.stop(state, 'length');
    });
  }

  /** Generation ended: streams each row's held-back text that is now safe. */
  end(): void {
    for (const state of this.states) {
      if (state.stopReason === 'stop-string' || state.tokens.length === 0) continue;
      const { emit, stopped } = state.matcher.update(this.tokenizer.decode(state.tokens, { skip_special_tokens: true }));
      if (emit.length > 0) state.control?.emit(emit);
      if (stopped) {
        state.stopReason = 'stop-string';
        continue;
      }
      const rest = state.matcher.flush();
      if (rest.length > 0) state.control?.emit(rest);
    }
  }

  /** What each row generated, cut at its own stop, with its timings. */
  results(): GeneratedRow[] {
    return this.states.map((state) => {
      const count = state.tokens.length;
      const decodeSeconds = state.firstTokenAt !== undefined && state.lastTokenAt !== undefined ? (state.lastTokenAt - state.firstTokenAt) / 1000 : 0;
      return {
        tokens: state.tokens,
        text: state.matcher.finalText(),
        stopReason: state.stopReason ?? (state.control?.signal.aborted ? 'aborted' : 'length'),
        timings: {
          timeToFirstTokenMs: (state.firstTokenAt ?? performance.now()) - this.startedAt,
          tokensPerSecond: count > 1 && decodeSeconds > 0 ? (count - 1) / decodeSeconds : 0,
          tokensGenerated: count,
        },
      };
    });
  }

  /** Whether a row's text is needed as it grows: a stream reads it, or a stop string may end it. */
  private streamsText(state: RowState): boolean {
    return state.options.stop.length > 0 || (state.control !== undefined && state.control.streaming !== false);
  }

  private stop(state: RowState, reason: StopReason): void {
    state.stopReason ??= reason;
  }
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
  const batch = new GenerationRowsState(rows, tokenizer, eosTokenIds, padTokenId);

  class AccelSampler extends LogitsProcessor {
    override _call(inputIds: bigint[][], logits: Parameters<InstanceType<typeof LogitsProcessor>['_call']>[1]) {
      const scores = logits as unknown as { [row: number]: { data: Float32Array } };
      for (let row = 0; row < rows.length; row += 1) {
        const data = scores[row]!.data;
        const chosen = batch.choose(row, data, () => inputIds[row]!.map(Number));
        data.fill(Number.NEGATIVE_INFINITY);
        data[chosen] = 0;
      }
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
      batch.accept(value.map((row) => Number(row[0])));
    }

    override end() {
      batch.end();
    }
  }

  class AccelStopping extends StoppingCriteria {
    override _call() {
      return rows.map((_, row) => batch.stopped(row));
    }
  }

  await model.generate({
    ...inputs,
    ...generateOptions,
    max_new_tokens: batch.maxNewTokens,
    do_sample: false,
    logits_processor: [new AccelSampler()],
    stopping_criteria: [new AccelStopping()],
    streamer: new AccelStreamer(),
  });
  return batch.results();
}
