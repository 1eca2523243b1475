import { type InferenceSessionV1, UnsupportedError } from '@accel/core';
import { describe, expect, it } from 'vitest';
import * as kit from '../src/index.js';
import { createLlavaGenerationModel, loadTransformers, type LlavaSessions } from '../src/index.js';
import { keepPaddingInCachedSteps, patchedTransformersVersion, type StepUpdatingModel } from '../src/transformers/vision-language/keep-padding-in-cached-steps.js';

/** A model whose step update returns what it is given, as transformers.js's passes the model inputs on. */
function echoModel(): StepUpdatingModel {
  return { _update_model_kwargs_for_generation: (parameters) => ({ ...(parameters.model_inputs as Record<string, unknown>) }) };
}

/** Sessions that are never run (constructing a transformers.js model does not run them); `released` lists releases. */
function fakeSessions(released: string[]): LlavaSessions {
  const session = (name: string): InferenceSessionV1 => ({
    inputNames: [],
    outputNames: [],
    inputMetadata: [],
    outputMetadata: [],
    run: () => Promise.reject(new Error(`${name} is not run in this test`)),
    release: async () => void released.push(name),
  });
  return { vision_encoder: session('vision_encoder'), embed_tokens: session('embed_tokens'), decoder_model_merged: session('decoder_model_merged') };
}

const llavaConfig = { model_type: 'llava', image_token_index: 3, text_config: { model_type: 'llama' }, vision_config: { model_type: 'clip_vision_model' } };

describe('keepPaddingInCachedSteps (private to the kit)', () => {
  it('is pinned to the transformers.js version this package installs', async () => {
    const transformers = await loadTransformers();
    expect(transformers.env.version).toBe(patchedTransformersVersion);
    // The private method it wraps still exists on the class it is applied to.
    expect(typeof (transformers.LlavaForConditionalGeneration.prototype as unknown as StepUpdatingModel)._update_model_kwargs_for_generation).toBe('function');
  });

  it('is not exported from the package entry point', () => {
    expect(Object.keys(kit)).not.toContain('keepPaddingInCachedSteps');
    expect(Object.keys(kit)).not.toContain('patchedTransformersVersion');
    expect(Object.keys(kit)).not.toContain('requirePatchedTransformersVersion');
  });

  it('drops pixel_values and the given first-step inputs after a step, and keeps the rest', () => {
    const model = echoModel();
    keepPaddingInCachedSteps(model, patchedTransformersVersion, ['image_sizes']);
    const next = model._update_model_kwargs_for_generation({ model_inputs: { input_ids: 'ids', attention_mask: 'mask', pixel_values: 'pixels', image_sizes: 'sizes' } });
    expect(next).toEqual({ input_ids: 'ids', attention_mask: 'mask' });
  });

  it('refuses another transformers.js version with an UnsupportedError saying the patch needs review, leaving the model alone', () => {
    const model = echoModel();
    const original = model._update_model_kwargs_for_generation;
    let thrown: unknown;
    try {
      keepPaddingInCachedSteps(model, '4.4.0');
    } catch (error) {
      thrown = error;
    }
    expect(UnsupportedError.isInstance(thrown)).toBe(true);
    expect((thrown as UnsupportedError).code).toBe('ACCEL_UNSUPPORTED');
    expect((thrown as Error).message).toMatch(/_update_model_kwargs_for_generation.*4\.3\.2.*4\.4\.0.*needs review/s);
    expect(model._update_model_kwargs_for_generation).toBe(original);
  });
});

describe('createLlavaGenerationModel', () => {
  it('builds LlavaForConditionalGeneration whose cached steps keep the real attention mask and drop the images', async () => {
    const transformers = await loadTransformers();
    const model = await createLlavaGenerationModel({ config: llavaConfig, sessions: fakeSessions([]), generationConfig: {}, firstStepInputs: ['image_sizes'] });
    expect(model).toBeInstanceOf(transformers.LlavaForConditionalGeneration);
    // Row 0 is left-padded: its mask starts with 0, and the next step must keep that 0.
    const mask = new transformers.Tensor('int64', BigInt64Array.from([0n, 1n, 1n, 1n]), [2, 2]);
    const next = (model as unknown as StepUpdatingModel)._update_model_kwargs_for_generation({
      generated_input_ids: [[5n], [6n]],
      outputs: {},
      model_inputs: { input_ids: mask, attention_mask: mask, pixel_values: 'pixels', image_sizes: 'sizes' },
      is_encoder_decoder: false,
    }) as { attention_mask: InstanceType<typeof transformers.Tensor> };
    expect(Object.keys(next)).not.toContain('pixel_values');
    expect(Object.keys(next)).not.toContain('image_sizes');
    expect(next.attention_mask.dims).toEqual([2, 3]);
    expect(next.attention_mask.tolist()).toEqual([
      [0n, 1n, 1n],
      [1n, 1n, 1n],
    ]);
  });

  it('fails loudly, and releases the sessions, when another transformers.js version is loaded', async () => {
    const transformers = await loadTransformers();
    const version = transformers.env.version;
    const released: string[] = [];
    transformers.env.version = '5.0.0';
    try {
      await expect(createLlavaGenerationModel({ config: llavaConfig, sessions: fakeSessions(released), generationConfig: {} })).rejects.toSatisfy(
        (error: unknown) => UnsupportedError.isInstance(error) && /transformers\.js 5\.0\.0 is loaded: the patch needs review/.test(error.message),
      );
    } finally {
      transformers.env.version = version;
    }
    expect(released.sort()).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
  });
});
