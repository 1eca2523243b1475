/** Where models come from, and how they get there. Options win over environment variables. */
export interface ModelSourceOptions {
  /**
   * Folder holding models under their hub ids (`<cacheDirectory>/<owner>/<name>/config.json`).
   * Defaults to `$ACCEL_CACHE_DIR`, else `~/.cache/accel/models`.
   */
  readonly cacheDirectory?: string;
  /**
   * Never download: a model missing from the cache is a `ModelNotFoundError`. Default false, or
   * true when `ACCEL_OFFLINE` or `HF_HUB_OFFLINE` is `1`. Local folders never download.
   */
  readonly offline?: boolean;
  /** Hub to download from. Default `$ACCEL_REMOTE_HOST`, else `$HF_ENDPOINT`, else `https://huggingface.co`. */
  readonly remoteHost?: string;
  /** Bearer token for private or gated repositories. Default `$HF_TOKEN`. */
  readonly token?: string;
  /**
   * Revision (branch, tag or commit) of a model's first download. Default `main`. The commit it
   * resolves to is recorded in the folder's `accel-manifest.json`, and later loads stay on it.
   */
  readonly revision?: string;
  /** IPFS trustless gateway for `pull(id, { from: 'ipfs' })`. Default `$ACCEL_IPFS_GATEWAY`. */
  readonly ipfsGateway?: string;
  /** Files downloaded at once. Default 4. */
  readonly concurrency?: number;
  /** Called while files download. */
  readonly onProgress?: (event: ModelStoreEvent) => void;
}

/** A download begins: every file it will fetch, with sizes from the hub's listing. */
export interface DownloadStartEvent {
  readonly type: 'download-start';
  readonly model: string;
  /** The commit the files come from. */
  readonly revision: string;
  readonly files: readonly { readonly file: string; readonly bytes: number }[];
  readonly totalBytes: number;
}

/** Progress of one file's download. */
export interface DownloadProgressEvent {
  readonly type: 'download-progress';
  readonly model: string;
  readonly file: string;
  /** Bytes of the file on disk so far, including a resumed partial download. */
  readonly bytesReceived: number;
  /** Undefined when the size is not known. */
  readonly totalBytes: number | undefined;
  /** True on the report of bytes an interrupted earlier try left (`.partial`), before any new byte. */
  readonly resumed?: boolean;
}

/** A file could not come from the source asked for and comes from another. */
export interface DownloadFallbackEvent {
  readonly type: 'download-fallback';
  readonly model: string;
  readonly file: string;
  readonly from: 'ipfs';
  readonly to: 'hub';
  readonly reason: string;
}

/** Every file of a download arrived and was verified. */
export interface DownloadDoneEvent {
  readonly type: 'download-done';
  readonly model: string;
  readonly revision: string;
  readonly bytes: number;
  readonly ms: number;
}

/** Another process holds the model folder's lock (it is downloading into it); this pull waits. */
export interface DownloadWaitEvent {
  readonly type: 'download-wait';
  readonly model: string;
  readonly reason: string;
}

export type ModelStoreEvent = DownloadStartEvent | DownloadProgressEvent | DownloadFallbackEvent | DownloadDoneEvent | DownloadWaitEvent;
