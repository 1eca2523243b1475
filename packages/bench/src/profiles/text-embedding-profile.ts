import { benchSentences } from '../inputs/sentences.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createFeatureExtractionPipelineSubject } from '../subjects/pipeline-feature-extraction.js';
import { createRawTextEncoderSubject } from '../subjects/raw-text-encoder.js';
import type { BenchProfile, BenchSkill } from './bench-profile.js';

const pipelineLabel = "pipeline('feature-extraction')";

/** A text-embedding skill on a BERT-style encoder: latency, batch throughput, concurrent singles. */
export function textEmbeddingProfile(definition: {
  id: string;
  skill: BenchSkill;
  model: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  quickBackends?: readonly string[];
}): BenchProfile {
  return {
    id: definition.id,
    skill: definition.skill,
    model: definition.model,
    family: 'text-embedding',
    measures: ['latency', 'batch', 'concurrent'],
    ...(definition.quickBackends ? { quickBackends: definition.quickBackends } : {}),
    async prepare({ model, settings }) {
      const texts = benchSentences(Math.max(settings.batchSize, settings.concurrentRequests));
      const options = { pooling: definition.pooling, normalize: definition.normalize };
      return {
        accel: (skill, backend, endpoint) =>
          createAccelSubject({ skill, backend, endpoint, model, samples: texts, request: (samples) => ({ input: samples.length === 1 ? samples[0] : samples, options }) }),
        async peers(backend) {
          const runtime = onnxRuntimeFor(backend);
          return [
            runtime
              ? createRawTextEncoderSubject({ runtime: await runtime(), model, texts })
              : { role: 'onnxruntime', label: 'session.run', skipped: `no direct runtime peer for ${backend}` },
            backend === 'cpu'
              ? createFeatureExtractionPipelineSubject({ model, texts, ...options })
              : { role: 'pipeline', label: pipelineLabel, skipped: `transformers.js in Node has no ${backend} device` },
          ];
        },
      };
    },
  };
}
