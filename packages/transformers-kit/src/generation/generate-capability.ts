import { InvalidInputError, type GenerateCapabilityV1, type GenerateRequest } from '@accel/core';
import type { TextGenerationInput } from './chat.js';
import type { GenerationOptions, StopReason } from './generation-options.js';

/** What every generating skill's output carries and a standard generate request reads back. */
export interface GeneratedText {
  readonly text: string;
  readonly stopReason: StopReason;
}

/** The kit's generation options a standard generate request asks for; a field the request leaves out keeps the skill's default. */
export function generationOptionsOf(request: GenerateRequest): GenerationOptions {
  return {
    ...(request.maxNewTokens === undefined ? {} : { maxNewTokens: request.maxNewTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { topP: request.topP }),
    ...(request.topK === undefined ? {} : { topK: request.topK }),
    ...(request.repetitionPenalty === undefined ? {} : { repetitionPenalty: request.repetitionPenalty }),
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { stop: request.stop }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  };
}

/** The generated text and why it stopped, from any output that carries them. */
export function generatedOf(output: GeneratedText): GeneratedText {
  return { text: output.text, stopReason: output.stopReason };
}

/**
 * `capabilities.generate` of a skill whose input is a prompt string, or (with `chat`) chat
 * messages it formats with the model's chat template: text in, text out, no images. A chat for a
 * model without a template fails when the request runs, with the skill's own `InvalidInputError`.
 */
export function promptGenerateCapability(options: { readonly chat: false }): GenerateCapabilityV1<string, GeneratedText, GenerationOptions>;
export function promptGenerateCapability(options: { readonly chat: true }): GenerateCapabilityV1<TextGenerationInput, GeneratedText, GenerationOptions>;
export function promptGenerateCapability(options: { readonly chat: boolean }): GenerateCapabilityV1<TextGenerationInput, GeneratedText, GenerationOptions> {
  return {
    chat: options.chat,
    completion: true,
    images: false,
    request(request) {
      if (request.images !== undefined && request.images.length > 0) throw new InvalidInputError({ reason: 'this model reads text only: it takes no images' });
      if (typeof request.prompt !== 'string' && !options.chat) throw new InvalidInputError({ reason: 'this model takes a prompt string, not chat messages (it has no chat template)' });
      return { input: request.prompt, options: generationOptionsOf(request) };
    },
    result: generatedOf,
  };
}
