/** A model located on disk, ready to load. */
export interface ResolvedModel {
  /** Hub id (`Xenova/all-MiniLM-L6-v2`) or the folder's name when given a folder. */
  readonly id: string;
  /** Absolute path of the model folder. */
  readonly directory: string;
  /** How it was found. */
  readonly source: 'folder' | 'cache' | 'download';
  /** The hub commit its files came from, when the folder's manifest records one. */
  readonly revision?: string;
}
