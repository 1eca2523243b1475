import { InvalidInputError, UnsupportedError, type SkillCapabilitiesV1, type TranscribeRequest } from '@accel/core';
import type { Wav2Vec2Input, Wav2Vec2Options, Wav2Vec2Output } from './wav2vec2-schemas.js';

/** The wav2vec2 options a standard transcription request becomes; what CTC decoding has no setting for is refused by name. */
function wav2vec2OptionsFor({ task, language, prompt, temperature, timestamps }: TranscribeRequest): Wav2Vec2Options {
  if (task !== 'transcribe') throw new UnsupportedError({ feature: 'task', message: `wav2vec2 cannot ${task}: it only transcribes` });
  if (language !== undefined) {
    throw new UnsupportedError({ feature: 'language', message: 'wav2vec2 takes no language: a CTC model transcribes in the one language it was trained on' });
  }
  if (prompt !== undefined) throw new UnsupportedError({ feature: 'prompt', message: 'wav2vec2 takes no prompt: CTC decoding does not condition on earlier text' });
  // Greedy CTC decoding is what temperature 0 asks for; there is nothing to sample.
  if (temperature !== undefined && temperature !== 0) {
    throw new UnsupportedError({ feature: 'temperature', message: `wav2vec2 decodes greedily: it takes temperature 0 only, got ${temperature}` });
  }
  const other = timestamps.find((granularity) => granularity !== 'word');
  if (other !== undefined) {
    throw new UnsupportedError({ feature: 'timestamp_granularities', message: `wav2vec2 gives word timestamps only, not ${other} timestamps` });
  }
  return timestamps.includes('word') ? { timestamps: true } : {};
}

/**
 * wav2vec2 serves transcription with word timestamps (CTC has no segments; a model knows no
 * language it could report) and audio embeddings (the `embed` task: the mean of the last hidden
 * states, or of the CTC logits when the graph has no hidden-state output).
 */
export const wav2vec2Capabilities: SkillCapabilitiesV1<Wav2Vec2Input, Wav2Vec2Output, Wav2Vec2Options> = {
  transcribe: {
    tasks: ['transcribe'],
    granularities: ['word'],
    request: (request) => ({ input: request.audio, options: wav2vec2OptionsFor(request) }),
    transcript(output) {
      const transcription = output.task === 'transcribe' ? output.transcriptions[0] : undefined;
      if (transcription === undefined) throw new Error('wav2vec2 returned no transcript');
      return {
        text: transcription.text,
        duration: transcription.duration,
        ...(transcription.words === undefined ? {} : { words: transcription.words.map(({ text, start, end }) => ({ word: text, start, end })) }),
      };
    },
  },
  embed: {
    modalities: ['audio'],
    request(items) {
      if (items.modality !== 'audio') throw new InvalidInputError({ reason: `wav2vec2 embeds audio, not ${items.modality}` });
      return { input: [...items.items], options: { task: 'embed' } };
    },
    vectors(output) {
      if (output.task !== 'embed') throw new Error('wav2vec2 returned transcripts, not embeddings');
      return output.embeddings;
    },
  },
};
