import type { BenchSubject } from './bench-subject.js';
import { loadTransformers, localFolderOptions, transformersName } from './transformers-library.js';

type Transcriber = (audio: Float32Array, options: Record<string, unknown>) => Promise<unknown>;

/** transformers.js's `automatic-speech-recognition` pipeline on 16 kHz samples, English, up to `newTokens` tokens. */
export function createSpeechRecognitionPipelineSubject(options: { model: string; audio: Float32Array; newTokens: number }): BenchSubject {
  let transcriber: Transcriber | undefined;
  let runtime = '@huggingface/transformers';
  return {
    role: 'pipeline',
    label: "pipeline('automatic-speech-recognition')",
    get runtime() {
      return runtime;
    },
    notes: [`language english, task transcribe, max_new_tokens ${options.newTokens}; log-mel in JS`],
    async load() {
      const { pipeline } = await loadTransformers();
      runtime = await transformersName();
      transcriber = (await pipeline('automatic-speech-recognition', options.model, localFolderOptions)) as unknown as Transcriber;
    },
    async runSingle() {
      await transcriber!(options.audio, { language: 'english', task: 'transcribe', max_new_tokens: options.newTokens });
    },
    async dispose() {
      await (transcriber as unknown as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
    },
  };
}
