import { loadTransformers, type TransformersModule } from '../load-transformers.js';
import { keepPaddingInCachedSteps, requirePatchedTransformersVersion, type StepUpdatingModel } from './keep-padding-in-cached-steps.js';
import type { GenerationConfigJson, LlavaSessions } from './llava-model-parts.js';

/** transformers.js's `LlavaForConditionalGeneration` (an opaque object where `TransformersTypes` is not declared). */
export type LlavaGenerationModel = TransformersModule extends { readonly LlavaForConditionalGeneration: abstract new (...args: never) => infer Model } ? Model : object;

export interface LlavaGenerationModelOptions {
  /** The model's `config.json` (as `PretrainedConfig` reads it; LLaVA-Next passes `model_type: 'llava'`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The endpoint's sessions, from `openLlavaSessions`. */
  readonly sessions: LlavaSessions;
  /** The folder's `generation_config.json`, from `readGenerationConfig`. */
  readonly generationConfig: GenerationConfigJson;
  /** Model inputs that, like `pixel_values`, only the first generation step needs (LLaVA-Next: `image_sizes`). */
  readonly firstStepInputs?: readonly string[];
}

/**
 * Builds transformers.js's `LlavaForConditionalGeneration` on the endpoint's three sessions, fixed
 * so that left-padded rows of a batch generate as they do alone: after the first step, the inputs
 * only that step needs (`pixel_values`, `firstStepInputs`) are dropped. The fix replaces a private
 * method of transformers.js and is pinned to the version it was written for; another loaded
 * version fails with an `UnsupportedError` saying the fix needs review. If it throws, it releases
 * the sessions.
 */
export async function createLlavaGenerationModel({ config, sessions, generationConfig, firstStepInputs = [] }: LlavaGenerationModelOptions): Promise<LlavaGenerationModel> {
  try {
    const transformers = await loadTransformers();
    requirePatchedTransformersVersion(transformers.env.version);
    const model = new transformers.LlavaForConditionalGeneration(new transformers.PretrainedConfig(config), sessions, {
      generation_config: new transformers.GenerationConfig(generationConfig as unknown as ConstructorParameters<typeof transformers.GenerationConfig>[0]),
    });
    keepPaddingInCachedSteps(model as unknown as StepUpdatingModel, transformers.env.version, firstStepInputs);
    return model;
  } catch (error) {
    await Promise.all(Object.values(sessions).map((session) => session.release()));
    throw error;
  }
}
