import type { SkillCapabilitiesV1 } from '@accel/core';
import { embedCapability, zeroShotClassifyCapability } from '@accel/transformers-kit';
import type { ClapInput, ClapOptions, ClapOutput } from './clap-schemas.js';

function embeddingsOf(output: ClapOutput): readonly Float32Array[] {
  if (output.task === 'embed-audio') return output.audioEmbeddings;
  if (output.task === 'embed-text') return output.textEmbeddings;
  throw new Error(`expected an embedding output, got task ${output.task}`);
}

/**
 * The standard requests CLAP serves: embeddings of texts or audio clips (L2-normalised) and
 * zero-shot audio classification against the caller's labels.
 */
export const clapCapabilities: SkillCapabilitiesV1<ClapInput, ClapOutput, ClapOptions> = {
  embed: embedCapability<ClapInput, ClapOutput, ClapOptions>(
    {
      text: (texts) => ({ input: { text: [...texts] } }),
      audio: (clips) => ({ input: { audio: [...clips] } }),
    },
    embeddingsOf,
  ),
  classify: zeroShotClassifyCapability<ClapInput, ClapOutput, ClapOptions>({
    requests: {
      audio: (clips, labels, template) => ({ input: { audio: [...clips], labels: [...labels] }, ...(template === undefined ? {} : { options: { template } }) }),
    },
    scores: (output) => {
      if (output.task !== 'classify') throw new Error(`expected a classification output, got task ${output.task}`);
      return output.classifications.map((classification) => classification.scores);
    },
  }),
};
