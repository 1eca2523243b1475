import { modelFileForDtype, type Dtype } from '@accel/core';
import { embeddingAgreement, inferWithDtype } from '../agreement.js';
import { benchSentences } from '../inputs/sentences.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createFeatureExtractionPipelineSubject } from '../subjects/pipeline-feature-extraction.js';
import { createRawTextEncoderSubject } from '../subjects/raw-text-encoder.js';
import type { BenchProfile, BenchSkill } from './bench-profile.js';

const pipelineLabel = "pipeline('feature-extraction')";

/** Sentences the agreement of a quantized profile is taken on. */
const agreementSentences = 8;

/**
 * A text-embedding skill on a BERT-style encoder: latency, batch throughput, concurrent singles.
 * With `dtype` (a quantized profile, `baseline` naming the fp32 one): latency and batch throughput
 * against raw onnxruntime on the same quantized file, and the agreement of its embeddings with fp32's.
 */
export function textEmbeddingProfile(definition: {
  id: string;
  skill: BenchSkill;
  model: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  quickBackends?: readonly string[];
  dtype?: Dtype;
  baseline?: string;
}): BenchProfile {
  const { dtype } = definition;
  return {
    id: definition.id,
    skill: definition.skill,
    model: definition.model,
    family: 'text-embedding',
    ...(dtype ? { dtype } : {}),
    ...(definition.baseline ? { baseline: definition.baseline } : {}),
    // A quantized profile's goals are its batch throughput (against raw and against fp32).
    measures: dtype ? ['latency', 'batch'] : ['latency', 'batch', 'concurrent'],
    ...(dtype ? { quickMeasures: ['batch'] as const } : {}),
    ...(definition.quickBackends ? { quickBackends: definition.quickBackends } : {}),
    async prepare({ model, settings }) {
      const texts = benchSentences(Math.max(settings.batchSize, settings.concurrentRequests));
      const options = { pooling: definition.pooling, normalize: definition.normalize };
      const request = (samples: readonly string[]) => ({ input: samples.length === 1 ? samples[0] : samples, options });
      return {
        accel: (skill, backend, endpoint) => createAccelSubject({ skill, backend, endpoint, model, ...(dtype ? { dtype } : {}), samples: texts, request }),
        async peers(backend) {
          const runtime = onnxRuntimeFor(backend);
          return [
            runtime
              ? createRawTextEncoderSubject({ runtime: await runtime(), model, texts, ...(dtype ? { file: modelFileForDtype('model', dtype) } : {}) })
              : { role: 'onnxruntime', label: 'session.run', skipped: `no direct runtime peer for ${backend}` },
            dtype !== undefined
              ? { role: 'pipeline', label: pipelineLabel, skipped: `not measured for ${dtype}: its goals compare accel with raw onnxruntime on the same file, and with fp32` }
              : backend === 'cpu'
                ? createFeatureExtractionPipelineSubject({ model, texts, ...options })
                : { role: 'pipeline', label: pipelineLabel, skipped: `transformers.js in Node has no ${backend} device` },
          ];
        },
        ...(dtype === undefined
          ? {}
          : {
              async agreement(skill, backend) {
                const batch = request(texts.slice(0, agreementSentences));
                const embeddingsOf = async (weights: Dtype) => ((await inferWithDtype(skill, backend, model, weights, batch)) as { embeddings: ArrayLike<number>[] }).embeddings;
                const { mean, lowest } = embeddingAgreement(await embeddingsOf('fp32'), await embeddingsOf(dtype));
                return {
                  reference: 'fp32',
                  measure: 'mean cosine of embeddings',
                  status: 'measured' as const,
                  value: mean,
                  detail: `lowest ${lowest.toFixed(4)} over ${agreementSentences} sentences`,
                };
              },
            }),
      };
    },
  };
}
