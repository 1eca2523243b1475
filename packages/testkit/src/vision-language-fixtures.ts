import { expect } from 'vitest';
import type { InvalidInputCase } from './conformance.js';
import { corruptImage, gradientPixels, splitImagePng } from './test-images.js';
import type { VisionLanguageInput, VisionLanguageOutput } from '@accel/transformers-kit';

/**
 * The conformance inputs every image+text-to-text skill (LLaVA, LLaVA-Next) shares: three valid
 * requests (one image, two images with placeholders, a chat), every bad request the skills must
 * refuse, and the output check for `maxNewTokens`.
 */
export async function visionLanguageConformanceFixtures(maxNewTokens: number): Promise<{
  inputs: VisionLanguageInput[];
  invalidInputs: InvalidInputCase[];
  expectOutput: (output: VisionLanguageOutput) => void;
}> {
  const red = await splitImagePng(40, 30, [255, 0, 0], [0, 0, 255]);
  const green = await splitImagePng(24, 48, [0, 255, 0], [255, 255, 0]);
  const inputs: VisionLanguageInput[] = [
    { images: red, prompt: 'What is in the picture?' },
    { images: [green, gradientPixels(20, 20, 7)], prompt: 'Compare <image> with <image>, please.' },
    { images: gradientPixels(33, 17, 13), prompt: [{ role: 'user', content: 'Describe the colours.' }] },
  ];
  const invalidInputs: InvalidInputCase[] = [
    { name: 'null', input: null },
    { name: 'a bare string', input: 'What is in the picture?' },
    { name: 'no image', input: { prompt: 'What is in the picture?' } },
    { name: 'empty image list', input: { images: [], prompt: 'What is in the picture?' } },
    { name: 'empty image path', input: { images: '', prompt: 'What is in the picture?' } },
    { name: 'empty image bytes', input: { images: new Uint8Array(0), prompt: 'What is in the picture?' } },
    { name: 'corrupt image', input: { images: corruptImage, prompt: 'What is in the picture?' } },
    { name: 'missing image file', input: { images: '/no/such/picture.png', prompt: 'What is in the picture?' } },
    { name: 'raw pixels of the wrong size', input: { images: { data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, prompt: 'hi' } },
    { name: 'a number as image', input: { images: 42, prompt: 'What is in the picture?' } },
    { name: 'empty prompt', input: { images: red, prompt: '' } },
    { name: 'no prompt', input: { images: red } },
    { name: 'chat message without a role', input: { images: red, prompt: [{ content: 'hi' }] } },
    { name: 'chat without a user message', input: { images: red, prompt: [{ role: 'system', content: 'be brief' }] } },
    { name: 'more placeholders than images', input: { images: red, prompt: '<image> and <image>?' } },
    { name: 'maxNewTokens 0', input: inputs[0], options: { maxNewTokens: 0 } },
    { name: 'negative temperature', input: inputs[0], options: { temperature: -1 } },
    { name: 'topP above 1', input: inputs[0], options: { topP: 1.5 } },
    { name: 'non-boolean applyChatTemplate', input: inputs[0], options: { applyChatTemplate: 'yes' } },
    { name: 'chat without the chat template', input: inputs[2], options: { applyChatTemplate: false } },
    { name: 'prompt longer than the context', input: { images: red, prompt: 'a cat sat on the mat '.repeat(200) } },
  ];
  const expectOutput = (output: VisionLanguageOutput): void => {
    expect(typeof output.text).toBe('string');
    expect(output.tokens.length).toBeLessThanOrEqual(maxNewTokens);
    expect(output.tokens.every((token) => Number.isInteger(token) && token >= 0)).toBe(true);
    expect(['eos', 'length', 'stop-string']).toContain(output.stopReason);
  };
  return { inputs, invalidInputs, expectOutput };
}
