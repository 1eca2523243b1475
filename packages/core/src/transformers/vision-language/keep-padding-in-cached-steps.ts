
/** The part of a transformers.js model that carries model inputs from one generation step to the next. */
export interface StepUpdatingModel {
  _update_model_kwargs_for_generation(parameters: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Works around transformers.js 4.3.2's image-text-to-text forward: on cached steps that still
 * carry `pixel_values`, it rebuilds the attention mask as all ones over the past, so left-padded
 * rows of a batch attend to their padding and drift from their single result. The images are
 * only needed by the first step (their features are in the cache afterwards), so this drops
 * them, and the `extraInputs` that go with them, after it; the real mask is then used as it is.
 */
export function keepPaddingInCachedSteps(model: StepUpdatingModel, extraInputs: readonly string[] = []): void {
  const update = model._update_model_kwargs_for_generation.bind(model);
  model._update_model_kwargs_for_generation = (parameters) => {
    const inputs = update(parameters);
    delete inputs.pixel_values;
    for (const name of extraInputs) delete inputs[name];
    return inputs;
  };
}
