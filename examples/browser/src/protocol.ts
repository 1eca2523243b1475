/**
 * Messages between the page and the worker that hosts the accel registry. Errors cross as
 * `serializeError`'s plain data (code, message, fields) and are rebuilt as typed errors.
 */
import type { InferResult, SerializedError } from '@accel/core';

export type SkillName = 'sentence-embeddings' | 'whisper' | 'clip';

export interface EndpointSpec {
  readonly skill: SkillName;
  /** Folder URL on the page's origin (`/models/Xenova/all-MiniLM-L6-v2`) or a hub id. */
  readonly model: string;
}

export type ToWorker =
  | {
      readonly type: 'init';
      readonly id: number;
      readonly endpoints: readonly EndpointSpec[];
      readonly threads?: number;
      /** Where hub ids come from (`remoteHost`, `revision`) and whether they may be fetched at all (`offline`: Cache API only). */
      readonly models?: { readonly remoteHost?: string; readonly revision?: string; readonly offline?: boolean };
    }
  | { readonly type: 'infer'; readonly id: number; readonly skill: SkillName; readonly input: unknown; readonly options?: Record<string, unknown> };

export type FromWorker =
  | { readonly type: 'ready'; readonly id: number; readonly statuses: readonly unknown[] }
  | { readonly type: 'result'; readonly id: number; readonly result: InferResult<unknown> }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };
