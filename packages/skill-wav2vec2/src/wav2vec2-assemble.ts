import type { PreparedRequest } from '@accel/core';
import type { Wav2Vec2Value } from './wav2vec2-model.js';
import type { Wav2Vec2Item } from './wav2vec2-prepare.js';
import type { Wav2Vec2Output } from './wav2vec2-schemas.js';

/** One transcript or one embedding per clip, in input order. */
export function assembleWav2Vec2Output(values: readonly Wav2Vec2Value[], prepared: PreparedRequest<Wav2Vec2Item>): Wav2Vec2Output {
  if (prepared.task === 'embed') {
    const embeddings = values.map((value) => (value.kind === 'embedding' ? value.embedding : new Float32Array(0)));
    const first = values[0];
    return { task: 'embed', embeddings, dimensions: embeddings[0]?.length ?? 0, source: first?.kind === 'embedding' ? first.source : 'last_hidden_state' };
  }
  return { task: 'transcribe', transcriptions: values.flatMap((value) => (value.kind === 'transcription' ? [value.transcription] : [])) };
}
