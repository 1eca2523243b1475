import { InvalidInputError, type GenerateCapabilityV1 } from '@accel/core';
import { generatedOf, generationOptionsOf, type GeneratedText } from '../../generation/generate-capability.js';
import type { VisionLanguageInput, VisionLanguageOptions } from '../../schemas/vision-language-schemas.js';

/**
 * `capabilities.generate` of a vision-language skill (LLaVA, LLaVA-Next): a chat (formatted with
 * the model's chat template) or a prompt continued as written (`applyChatTemplate: false`, as a
 * completion is), with at least one image; each `<image>` in the text marks where an image goes
 * (none: the images open the first user message).
 */
export const visionLanguageGenerateCapability: GenerateCapabilityV1<VisionLanguageInput, GeneratedText, VisionLanguageOptions> = {
  chat: true,
  completion: true,
  images: true,
  request(request) {
    const images = request.images ?? [];
    if (images.length === 0) throw new InvalidInputError({ reason: 'this model answers about images: send at least one image with the prompt' });
    return {
      input: { images: [...images], prompt: request.prompt },
      options: { ...generationOptionsOf(request), ...(typeof request.prompt === 'string' ? { applyChatTemplate: false } : {}) },
    };
  },
  result: generatedOf,
};
