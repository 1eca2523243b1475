import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createTextGenerationPipelineSubject } from '../subjects/pipeline-text-generation.js';
import { createRawDecoderLoopSubject } from '../subjects/raw-decoder-loop.js';
import type { BenchProfile, BenchSkill } from './bench-profile.js';

/** The prompt every text-generation subject continues. */
export const benchPrompt = 'Once upon a time, in a small village by the sea, there lived an old fisherman who';

/** A decoder-only text-generation skill: greedy tokens per second and time to first token. */
export function textGenerationProfile(definition: { id: string; skill: BenchSkill; model: string; quickBackends?: readonly string[] }): BenchProfile {
  return {
    id: definition.id,
    skill: definition.skill,
    model: definition.model,
    family: 'generation',
    measures: ['generation'],
    ...(definition.quickBackends ? { quickBackends: definition.quickBackends } : {}),
    async prepare({ model, settings }) {
      return {
        accel: (skill, backend, endpoint) =>
          createAccelSubject({
            skill,
            backend,
            endpoint,
            model,
            samples: [benchPrompt],
            request: (samples, newTokens) => ({ input: samples[0], options: { maxNewTokens: newTokens ?? settings.newTokens } }),
            countTokens: (output) => (output as { tokens: readonly number[] }).tokens.length,
          }),
        async peers(backend) {
          const runtime = onnxRuntimeFor(backend);
          return [
            runtime
              ? createRawDecoderLoopSubject({ runtime: await runtime(), model, prompt: benchPrompt })
              : { role: 'onnxruntime', label: 'greedy loop', skipped: `no direct runtime peer for ${backend}` },
            backend === 'cpu'
              ? createTextGenerationPipelineSubject({ model, prompt: benchPrompt })
              : { role: 'pipeline', label: "pipeline('text-generation')", skipped: `transformers.js in Node has no ${backend} device` },
          ];
        },
      };
    },
  };
}
