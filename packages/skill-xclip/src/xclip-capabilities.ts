import type { SkillCapabilitiesV1 } from '@accel/core';
import { embedCapability, zeroShotClassifyCapability } from '@accel/transformers-kit';
import type { XclipInput, XclipOptions, XclipOutput } from './xclip-schemas.js';

function embeddingsOf(output: XclipOutput): readonly Float32Array[] {
  if (output.task !== 'video-embedding' && output.task !== 'text-embedding') throw new Error(`expected an embedding output, got task ${output.task}`);
  return output.embeddings;
}

/**
 * The standard requests X-CLIP serves: embeddings of texts or videos (each video its encoded
 * frames in order; L2-normalised, the skill's default) and zero-shot video classification
 * against the caller's labels.
 */
export const xclipCapabilities: SkillCapabilitiesV1<XclipInput, XclipOutput, XclipOptions> = {
  embed: embedCapability<XclipInput, XclipOutput, XclipOptions>(
    {
      text: (texts) => ({ input: { texts: [...texts] } }),
      video: (videos) => ({ input: { videos: videos.map((frames) => [...frames]) } }),
    },
    embeddingsOf,
  ),
  classify: zeroShotClassifyCapability<XclipInput, XclipOutput, XclipOptions>({
    requests: {
      video: (videos, labels, template) => ({
        input: { videos: videos.map((frames) => [...frames]), labels: [...labels] },
        ...(template === undefined ? {} : { options: { template } }),
      }),
    },
    scores: (output) => {
      if (output.task !== 'zero-shot-video-classification') throw new Error(`expected a zero-shot classification output, got task ${output.task}`);
      return output.classifications;
    },
  }),
};
