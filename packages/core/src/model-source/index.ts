export type { DownloadProgressEvent, ModelSourceOptions } from './model-source-options.js';
export type { ResolvedModel } from './resolved-model.js';
