import type { AudioInput } from '@accel/core/media';

/** One audio clip (a file path, encoded bytes, or `{ samples, sampleRate }`), or a non-empty list of them. */
export type Wav2Vec2Input = AudioInput | readonly AudioInput[];

/** `transcribe` (default): CTC speech recognition. `embed`: one vector per clip. */
export type Wav2Vec2Task = 'transcribe' | 'embed';

/** Per-request options of the wav2vec2 skill. */
export interface Wav2Vec2Options {
  readonly task?: Wav2Vec2Task;
  /** Also return each word with its start and end time in seconds (transcribe only). Default false. */
  readonly timestamps?: boolean;
  /** Longest audio run in one pass; longer audio is cut into overlapping chunks this long. Default 20 s. */
  readonly chunkLengthSeconds?: number;
  /** Context on each inner side of a chunk: run, but decoded by the neighbouring chunk. Default 2.5 s. */
  readonly strideLengthSeconds?: number;
}

/** A word of a transcript and when it is spoken, in seconds from the start of the clip. */
export interface Wav2Vec2Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The transcript of one clip. */
export interface Wav2Vec2Transcription {
  readonly text: string;
  /** Seconds of audio. */
  readonly duration: number;
  /** How many chunks the clip was run in (1 when it fits one pass). */
  readonly chunks: number;
  /** Present when `timestamps` was asked for. */
  readonly words?: Wav2Vec2Word[];
}

/** What the embedding is the mean of: the transformer's hidden states, or the CTC logits when the graph has no hidden-state output. */
export type Wav2Vec2EmbeddingSource = 'last_hidden_state' | 'logits';

/** One result per input clip, in input order. */
export type Wav2Vec2Output =
  | { readonly task: 'transcribe'; readonly transcriptions: Wav2Vec2Transcription[] }
  | {
      readonly task: 'embed';
      readonly embeddings: Float32Array[];
      readonly dimensions: number;
      readonly source: Wav2Vec2EmbeddingSource;
    };

/** One clip to run: where it comes from and what to do with it. */
export interface Wav2Vec2Item {
  readonly source: AudioInput;
  /** Position in the input list; undefined for a single clip. */
  readonly index: number | undefined;
  readonly task: Wav2Vec2Task;
  readonly timestamps: boolean;
  readonly chunkLengthSeconds: number;
  readonly strideLengthSeconds: number;
}

/** What `run` returns for one clip. */
export type Wav2Vec2Value =
  | { readonly kind: 'transcription'; readonly transcription: Wav2Vec2Transcription }
  | { readonly kind: 'embedding'; readonly embedding: Float32Array; readonly source: Wav2Vec2EmbeddingSource };
