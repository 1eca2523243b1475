import type { ProvenanceNote } from '../../provenance/provenance.js';

/** The result for one item of a batch: a value, or the error for that item alone. */
export type ItemOutcome<Value> =
  | { readonly ok: true; readonly value: Value; readonly notes?: readonly ProvenanceNote[] }
  | { readonly ok: false; readonly error: Error };

/** A skill's model, loaded on one device. Created by `SkillV1.doLoad`. */
export interface LoadedSkillV1<Item, Value> {
  /**
   * Runs one batch. Returns one outcome per item, in order. A failure that concerns one item
   * is returned as that item's outcome, so its batch-mates still succeed; a thrown error fails
   * the whole batch.
   */
  run(items: readonly Item[]): Promise<ItemOutcome<Value>[]>;
  /** Releases every session. Called once; the object is not used afterwards. */
  dispose(): Promise<void>;
}
