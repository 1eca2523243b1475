/**
 * Standard requests a skill can serve besides its own input: "embed these texts or media",
 * "classify these media against labels", "transcribe this audio", "continue this prompt or chat".
 * Each skill maps them onto its own input, options and output, so everything that speaks in
 * standard requests — the HTTP server's OpenAI routes, a playground, a sweep — finds the skills
 * that serve a request from the skills themselves, never from a second list of skills.
 *
 * Media arrive as the encoded bytes a client sent (PNG, JPEG, WAV, MP3 …); a video is its frames
 * in order, each encoded image bytes. A mapping throws `InvalidInputError` for a request it can
 * not express in the skill's input, and `UnsupportedError` naming the option for a setting the
 * skill does not have.
 */

/** What an embedding or classification request holds. */
export type EmbeddingModality = 'text' | 'image' | 'audio' | 'video';

/** The items of one standard request, all of one modality. */
export type ModalityItems =
  | { readonly modality: 'text'; readonly items: readonly string[] }
  | { readonly modality: 'image'; readonly items: readonly Uint8Array[] }
  | { readonly modality: 'audio'; readonly items: readonly Uint8Array[] }
  | { readonly modality: 'video'; readonly items: readonly (readonly Uint8Array[])[] };

/** The skill request a standard request becomes: what `accel.infer(skill, input, options)` takes. */
export interface SkillRequest<Input, Options> {
  readonly input: Input;
  readonly options?: Options;
}

/** One label and its score. */
export interface LabelScore {
  readonly label: string;
  readonly score: number;
}

/** Embeddings of texts or media: one vector per item. */
export interface EmbedCapabilityV1<Input, Output, Options> {
  /** What the skill can embed. */
  readonly modalities: readonly EmbeddingModality[];
  /** The request that embeds `items` (their modality is one of `modalities`). */
  request(items: ModalityItems): SkillRequest<Input, Options>;
  /** The vectors from the output of that request, one per item, in order. */
  vectors(output: Output): readonly Float32Array[];
}

/** Classification of texts or media: every label with its score per item, best first. */
export interface ClassifyCapabilityV1<Input, Output, Options> {
  readonly modalities: readonly EmbeddingModality[];
  /** True when the caller names the labels (zero-shot); false when the model's own labels are used. */
  readonly zeroShot: boolean;
  /** The request that classifies `items`; `labels` and `template` only when `zeroShot`. */
  request(items: ModalityItems, labels: readonly string[] | undefined, template: string | undefined): SkillRequest<Input, Options>;
  /** Per item, in order: every label with its score, best first. */
  scores(output: Output): readonly (readonly LabelScore[])[];
}

/** Timestamps a transcription can carry. */
export type TranscriptGranularity = 'segment' | 'word';

export interface TranscribeRequest {
  /** The audio file's bytes as uploaded. */
  readonly audio: Uint8Array;
  /** `translate` renders the speech in English. */
  readonly task: 'transcribe' | 'translate';
  /** ISO-639-1 code of the spoken language, when the caller knows it. */
  readonly language?: string;
  /** Text that came before, to condition on. */
  readonly prompt?: string;
  readonly temperature?: number;
  /** The timestamps wanted (each one of the capability's `granularities`). */
  readonly timestamps: readonly TranscriptGranularity[];
}

export interface Transcript {
  readonly text: string;
  /** Seconds of audio. */
  readonly duration: number;
  /** The language the text is in, when the skill knows it. */
  readonly language?: string;
  readonly segments?: readonly { readonly start: number; readonly end: number; readonly text: string }[];
  readonly words?: readonly { readonly word: string; readonly start: number; readonly end: number }[];
}

/** Speech to text. */
export interface TranscribeCapabilityV1<Input, Output, Options> {
  readonly tasks: readonly ('transcribe' | 'translate')[];
  /** The timestamps the skill can return. */
  readonly granularities: readonly TranscriptGranularity[];
  request(request: TranscribeRequest): SkillRequest<Input, Options>;
  transcript(output: Output): Transcript;
}

/** One chat message of a standard generation request; `<image>` in `content` marks where an image goes. */
export interface ChatMessageV1 {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface GenerateRequest {
  /** A prompt to continue, or a conversation to answer (formatted with the model's chat template). */
  readonly prompt: string | readonly ChatMessageV1[];
  /** Encoded images, in the order of the prompt's `<image>` placeholders (only when the capability takes `images`). */
  readonly images?: readonly Uint8Array[];
  readonly maxNewTokens?: number;
  /** 0 decodes greedily. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly repetitionPenalty?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
}

export interface Generated {
  readonly text: string;
  readonly stopReason: 'eos' | 'length' | 'stop-string' | 'aborted';
}

/** Text generation; `accel.stream()` yields its pieces when the skill `streams`. */
export interface GenerateCapabilityV1<Input, Output, Options> {
  /** Takes a conversation (the model's chat template formats it; a model without one fails the request). */
  readonly chat: boolean;
  /** Takes a plain prompt to continue. */
  readonly completion: boolean;
  /** Takes images (then needs at least one). */
  readonly images: boolean;
  request(request: GenerateRequest): SkillRequest<Input, Options>;
  result(output: Output): Generated;
}

/** The standard requests one skill serves; each one it leaves out, it does not serve. */
export interface SkillCapabilitiesV1<Input, Output, Options> {
  readonly embed?: EmbedCapabilityV1<Input, Output, Options>;
  readonly classify?: ClassifyCapabilityV1<Input, Output, Options>;
  readonly transcribe?: TranscribeCapabilityV1<Input, Output, Options>;
  readonly generate?: GenerateCapabilityV1<Input, Output, Options>;
}
