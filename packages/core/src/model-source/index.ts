export type {
  DownloadDoneEvent,
  DownloadFallbackEvent,
  DownloadProgressEvent,
  DownloadStartEvent,
  DownloadWaitEvent,
  ModelSourceOptions,
  ModelStoreEvent,
} from './model-source-options.js';
export type { ResolvedModel } from './resolved-model.js';
export type { ModelManifest, ManifestFile } from '../model-store/manifest.js';
export type { PullOptions, PullResult, StoredModel, VerifyProblem, VerifyReport, ModelStoreSettings } from '../model-store/model-store.js';
