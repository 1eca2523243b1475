import { UnsupportedError } from '@accel/core';

/**
 * The transformers.js version whose private `_update_model_kwargs_for_generation` this patch was
 * written against and tested with. Private to the kit: not exported from its entry point.
 */
export const patchedTransformersVersion = '4.3.2';

/** The part of a transformers.js model that carries model inputs from one generation step to the next. */
export interface StepUpdatingModel {
  _update_model_kwargs_for_generation(parameters: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Throws an `UnsupportedError` unless `transformersVersion` (the loaded build's `env.version`) is
 * the version `keepPaddingInCachedSteps` was written for: the patch replaces a private method, so
 * another version needs the patch reviewed against its generation loop before
 * `patchedTransformersVersion` moves.
 */
export function requirePatchedTransformersVersion(transformersVersion: string): void {
  if (transformersVersion === patchedTransformersVersion) return;
  throw new UnsupportedError({
    feature: `transformers.js ${transformersVersion} for vision-language generation`,
    message:
      `@accel/transformers-kit patches the private _update_model_kwargs_for_generation of transformers.js ${patchedTransformersVersion} ` +
      `(keepPaddingInCachedSteps), but transformers.js ${transformersVersion} is loaded: the patch needs review for that version ` +
      `before LLaVA-family models can generate with it.`,
  });
}

/**
 * Works around transformers.js 4.3.2's image-text-to-text forward: on cached steps that still
 * carry `pixel_values`, it rebuilds the attention mask as all ones over the past, so left-padded
 * rows of a batch attend to their padding and drift from their single result. The images are
 * only needed by the first step (their features are in the cache afterwards), so this drops
 * them, and the `extraInputs` that go with them, after it; the real mask is then used as it is.
 * Pinned: with another `transformersVersion` it throws (`requirePatchedTransformersVersion`)
 * and leaves the model as it is.
 */
export function keepPaddingInCachedSteps(model: StepUpdatingModel, transformersVersion: string, extraInputs: readonly string[] = []): void {
  requirePatchedTransformersVersion(transformersVersion);
  if (typeof model._update_model_kwargs_for_generation !== 'function') {
    throw new UnsupportedError({
      feature: 'a transformers.js model without _update_model_kwargs_for_generation',
      message: `@accel/transformers-kit patches _update_model_kwargs_for_generation, which this transformers.js ${transformersVersion} model lacks: the patch needs review.`,
    });
  }
  const update = model._update_model_kwargs_for_generation.bind(model);
  model._update_model_kwargs_for_generation = (parameters) => {
    const inputs = update(parameters);
    delete inputs.pixel_values;
    for (const name of extraInputs) delete inputs[name];
    return inputs;
  };
}
