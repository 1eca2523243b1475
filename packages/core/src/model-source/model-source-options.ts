/** Where models come from. */
export interface ModelSourceOptions {
  /**
   * Folder holding models under their hub ids (`<cacheDirectory>/<owner>/<name>/config.json`).
   * Defaults to `$ACCEL_CACHE_DIR`, else `~/.cache/accel/models`.
   */
  readonly cacheDirectory?: string;
  /**
   * May a model missing from the cache be downloaded from the hub? Default false, or true when
   * `ACCEL_ALLOW_DOWNLOAD=1`. Local folders never need it.
   */
  readonly allowDownload?: boolean;
  /** Hub to download from. Default `https://huggingface.co`, or `$ACCEL_REMOTE_HOST`. */
  readonly remoteHost?: string;
  /** Revision (branch, tag or commit) to download. Default `main`. */
  readonly revision?: string;
  /** Called while files download. */
  readonly onProgress?: (event: DownloadProgressEvent) => void;
}

/** Progress of one file's download. */
export interface DownloadProgressEvent {
  readonly type: 'download-progress';
  readonly model: string;
  readonly file: string;
  readonly bytesReceived: number;
  /** Undefined when the server sent no length. */
  readonly totalBytes: number | undefined;
}
