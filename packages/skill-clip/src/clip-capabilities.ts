import type { SkillCapabilitiesV1 } from '@accel/core';
import { embedCapability, zeroShotClassifyCapability } from '@accel/transformers-kit/encoders';
import type { ClipInput, ClipOptions, ClipOutput } from './clip-schemas.js';

function embeddingsOf(output: ClipOutput): readonly Float32Array[] {
  if (output.task !== 'image-embedding' && output.task !== 'text-embedding') throw new Error(`expected an embedding output, got task ${output.task}`);
  return output.embeddings;
}

/**
 * The standard requests CLIP serves: embeddings of texts or images (L2-normalised, the skill's
 * default) and zero-shot image classification against the caller's labels.
 */
export const clipCapabilities: SkillCapabilitiesV1<ClipInput, ClipOutput, ClipOptions> = {
  embed: embedCapability<ClipInput, ClipOutput, ClipOptions>(
    {
      text: (texts) => ({ input: { texts: [...texts] } }),
      image: (images) => ({ input: { images: [...images] } }),
    },
    embeddingsOf,
  ),
  classify: zeroShotClassifyCapability<ClipInput, ClipOutput, ClipOptions>({
    requests: {
      image: (images, labels, template) => ({ input: { images: [...images], labels: [...labels] }, ...(template === undefined ? {} : { options: { template } }) }),
    },
    scores: (output) => {
      if (output.task !== 'zero-shot-image-classification') throw new Error(`expected a zero-shot classification output, got task ${output.task}`);
      return output.classifications;
    },
  }),
};
