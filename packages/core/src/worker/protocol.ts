import type { Dtype } from '../backend/v1/dtype.js';
import type { ResolvedModel } from '../model-source/resolved-model.js';
import type { ItemOutcome } from '../skill/v1/loaded-skill-v1.js';
import type { BackendSource, ModuleExport } from './module-export.js';
import type { SerializedError } from './serialize-error.js';

/** Messages from the registry's thread to a worker. */
export type ToWorker =
  | {
      readonly type: 'load';
      readonly endpoint: string;
      readonly skill: ModuleExport;
      readonly backend: BackendSource;
      readonly model: ResolvedModel;
      readonly device: string;
      readonly dtype: Dtype;
      readonly contextLength: number | undefined;
      readonly threads: number | undefined;
      readonly preload: boolean;
    }
  | { readonly type: 'prepare'; readonly skill: ModuleExport; readonly backend: BackendSource }
  | { readonly type: 'run'; readonly endpoint: string; readonly batch: number; readonly items: readonly unknown[]; readonly streaming?: readonly boolean[] }
  | { readonly type: 'abort'; readonly batch: number; readonly item: number }
  | { readonly type: 'unload'; readonly endpoint: string };

/** Messages from a worker back. A batch's answer carries `files` when the batch opened a session on demand: every file the endpoint has loaded since. */
export type FromWorker =
  | { readonly type: 'loaded'; readonly endpoint: string; readonly files: readonly string[] }
  | { readonly type: 'unloaded'; readonly endpoint: string }
  | { readonly type: 'load-failed'; readonly endpoint: string; readonly error: SerializedError }
  | { readonly type: 'text'; readonly batch: number; readonly item: number; readonly text: string }
  | { readonly type: 'result'; readonly batch: number; readonly outcomes: readonly SerializedOutcome[]; readonly files?: readonly string[] }
  | { readonly type: 'run-failed'; readonly batch: number; readonly error: SerializedError; readonly files?: readonly string[] };

/** An item outcome with its error as plain data. */
export type SerializedOutcome =
  | Extract<ItemOutcome<unknown>, { ok: true }>
  | { readonly ok: false; readonly error: SerializedError };
