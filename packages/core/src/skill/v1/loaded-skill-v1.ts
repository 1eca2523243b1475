import type { ProvenanceNote, TokenUsage } from '../../provenance/provenance.js';

/** The result for one item of a batch: a value, or the error for that item alone. */
export type ItemOutcome<Value> =
  | {
      readonly ok: true;
      readonly value: Value;
      readonly notes?: readonly ProvenanceNote[];
      /** Skill-specific timings for the provenance: `timeToFirstTokenMs`, `tokensPerSecond`, `realtimeFactor`, … */
      readonly timings?: Readonly<Record<string, number>>;
      /** Tokens the item read (prompt, input text) and wrote (generated); summed into the request's `provenance.usage`. */
      readonly usage?: TokenUsage;
    }
  | { readonly ok: false; readonly error: Error };

/** Per-item controls a streaming skill uses while it runs. */
export interface ItemControl {
  /** Aborted when the item's request is cancelled or times out: stop at the next token. */
  readonly signal: AbortSignal;
  /** Sends a piece of generated text to the request's stream, as soon as it exists. */
  emit(text: string): void;
  /**
   * False when nobody reads the item's text as it is generated (`accel.infer`, not `accel.stream`):
   * `emit` then goes nowhere, and a skill may skip producing text per token. Absent: assume someone does.
   */
  readonly streaming?: boolean;
}

/** A skill's model, loaded on one device. Created by `SkillV1.doLoad`. */
export interface LoadedSkillV1<Item, Value> {
  /**
   * Runs one batch. Returns one outcome per item, in order. A failure that concerns one item
   * is returned as that item's outcome, so its batch-mates still succeed; a thrown error fails
   * the whole batch.
   */
  run(items: readonly Item[], controls: readonly ItemControl[]): Promise<ItemOutcome<Value>[]>;
  /** Releases every session. Called once; the object is not used afterwards. */
  dispose(): Promise<void>;
}
