import { modelFileForDtype, type Dtype } from '@accel/core';
import { inferWithDtype, tokenAgreement } from '../agreement.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createTextGenerationPipelineSubject } from '../subjects/pipeline-text-generation.js';
import { createRawDecoderLoopSubject } from '../subjects/raw-decoder-loop.js';
import type { BenchProfile, BenchSkill } from './bench-profile.js';

/** The prompt every text-generation subject continues. */
export const benchPrompt = 'Once upon a time, in a small village by the sea, there lived an old fisherman who';

/** Greedy tokens a quantized profile's agreement with fp32 is taken over (the 32). */
const agreementTokens = 32;

/**
 * A decoder-only text-generation skill: greedy tokens per second and time to first token. With
 * `dtype` (a quantized profile, `baseline` naming the fp32 one): against raw onnxruntime on the
 * same quantized file, and the share of 32 greedy tokens that agree with fp32's.
 */
export function textGenerationProfile(definition: {
  id: string;
  skill: BenchSkill;
  model: string;
  quickBackends?: readonly string[];
  dtype?: Dtype;
  baseline?: string;
}): BenchProfile {
  const { dtype } = definition;
  return {
    id: definition.id,
    skill: definition.skill,
    model: definition.model,
    family: 'generation',
    ...(dtype ? { dtype } : {}),
    ...(definition.baseline ? { baseline: definition.baseline } : {}),
    measures: ['generation'],
    ...(definition.quickBackends ? { quickBackends: definition.quickBackends } : {}),
    async prepare({ model, settings }) {
      const request = (samples: readonly string[], newTokens?: number) => ({ input: samples[0], options: { maxNewTokens: newTokens ?? settings.newTokens } });
      return {
        accel: (skill, backend, endpoint) =>
          createAccelSubject({
            skill,
            backend,
            endpoint,
            model,
            ...(dtype ? { dtype } : {}),
            samples: [benchPrompt],
            request,
            countTokens: (output) => (output as { tokens: readonly number[] }).tokens.length,
          }),
        async peers(backend) {
          const runtime = onnxRuntimeFor(backend);
          return [
            runtime
              ? createRawDecoderLoopSubject({ runtime: await runtime(), model, prompt: benchPrompt, ...(dtype ? { file: modelFileForDtype('model', dtype) } : {}) })
              : { role: 'onnxruntime', label: 'greedy loop', skipped: `no direct runtime peer for ${backend}` },
            dtype !== undefined
              ? { role: 'pipeline', label: "pipeline('text-generation')", skipped: `not measured for ${dtype}: its goals compare accel with raw onnxruntime on the same file, and with fp32` }
              : backend === 'cpu'
                ? createTextGenerationPipelineSubject({ model, prompt: benchPrompt })
                : { role: 'pipeline', label: "pipeline('text-generation')", skipped: `transformers.js in Node has no ${backend} device` },
          ];
        },
        ...(dtype === undefined
          ? {}
          : {
              async agreement(skill, backend) {
                const tokensOf = async (weights: Dtype) =>
                  ((await inferWithDtype(skill, backend, model, weights, request([benchPrompt], agreementTokens))) as { tokens: readonly number[] }).tokens;
                const reference = [...(await tokensOf('fp32'))];
                const { agreeing, positions, share } = tokenAgreement(reference, [...(await tokensOf(dtype))]);
                // Random-weight models often repeat one token; the count of distinct ones says how much the agreement can tell.
                const distinct = new Set(reference).size;
                return {
                  reference: 'fp32',
                  measure: `greedy-token agreement over ${agreementTokens} tokens`,
                  status: 'measured' as const,
                  value: share,
                  detail: `${agreeing} of ${positions} positions; fp32 chose ${distinct} distinct token${distinct === 1 ? '' : 's'}`,
                };
              },
            }),
      };
    },
  };
}
