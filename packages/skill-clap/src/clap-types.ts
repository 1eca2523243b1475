import type { AudioInput } from '@accel/core/media';

/** One audio clip (a file path, encoded bytes, or `{ samples, sampleRate }`), or a non-empty list of them. */
export type ClapAudio = AudioInput | readonly AudioInput[];

/**
 * A CLAP request. What it holds picks the task:
 * - `{ audio }` → `embed-audio`: one embedding per clip;
 * - `{ text }` → `embed-text`: one embedding per text;
 * - `{ audio, text }` → `similarity`: both embeddings and the clip × text similarity matrix;
 * - `{ audio, labels }` → `classify`: zero-shot classification of each clip over the labels.
 */
export interface ClapInput {
  readonly audio?: ClapAudio;
  readonly text?: string | readonly string[];
  /** Candidate labels for zero-shot classification, each put into the hypothesis template. */
  readonly labels?: readonly string[];
}

/** Per-request options of the CLAP skill. */
export interface ClapOptions {
  /** Hypothesis template for `labels`: every `{}` is replaced by the label. Default `This is a sound of {}.` */
  readonly template?: string;
}

/** The tasks a CLAP request can be. */
export type ClapTask = 'classify' | 'embed-audio' | 'embed-text' | 'similarity';

/** One label's probability. */
export interface ClapScore {
  readonly label: string;
  readonly score: number;
}

/** Zero-shot result for one clip: the best label, and every label's probability, best first (they sum to 1). */
export interface ClapClassification {
  readonly label: string;
  readonly score: number;
  readonly scores: ClapScore[];
}

/** The result of one request; which fields it has follows from the task. */
export type ClapOutput =
  | { readonly task: 'classify'; readonly classifications: ClapClassification[] }
  | { readonly task: 'embed-audio'; readonly audioEmbeddings: Float32Array[]; readonly dimensions: number }
  | { readonly task: 'embed-text'; readonly textEmbeddings: Float32Array[]; readonly dimensions: number }
  | {
      readonly task: 'similarity';
      readonly audioEmbeddings: Float32Array[];
      readonly textEmbeddings: Float32Array[];
      readonly dimensions: number;
      /** Cosine similarity of clip i and text j. */
      readonly similarity: number[][];
      /** The model's `logits_per_audio`: the similarity times the model's learned logit scale. */
      readonly logits: number[][];
    };

/** One batchable unit: an audio clip (with the prompts it is scored against) or a text. */
export type ClapItem =
  | {
      readonly kind: 'audio';
      readonly source: AudioInput;
      readonly index: number | undefined;
      /** Texts the clip is scored against: the texts (similarity) or the labels put into the template (classify). */
      readonly prompts: readonly string[];
      /** What each prompt stands for in the output: the text itself, or its label. */
      readonly labels: readonly string[];
    }
  | { readonly kind: 'text'; readonly text: string; readonly index: number | undefined };

/** What `run` returns for one item. Embeddings are L2-normalised. */
export type ClapValue =
  | { readonly kind: 'audio'; readonly embedding: Float32Array; readonly logits: number[] }
  | { readonly kind: 'text'; readonly embedding: Float32Array };
