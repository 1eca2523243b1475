import type { Accel } from '@accel/core';
import { decoderGenerationTests, loadForgedDecoder, referenceGreedyTokens } from '@accel/testkit';
import { AutoModelForCausalLM, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

// The model types the llama skill serves besides llama and opt (test/generation.test.ts), each on a forged model of that type.
const modelTypes = [
  { modelType: 'qwen2', id: 'onnx-community/Qwen2.5-0.5B-Instruct', className: 'Qwen2ForCausalLM', endOfSequence: 558 },
  { modelType: 'mistral', id: 'Felladrin/onnx-TinyMistral-248M-Chat-v2', className: 'MistralForCausalLM', endOfSequence: 2 },
];

it('declares exactly the model types a test runs: these and llama, opt (test/generation.test.ts)', () => {
  expect([...(llamaSkill.modelTypes ?? [])].sort()).toEqual(['llama', 'opt', ...modelTypes.map(({ modelType }) => modelType)].sort());
});

describe.each(modelTypes)('llama skill on a forged $modelType model ($id)', ({ modelType, id, className, endOfSequence }) => {
  let accel: Accel;
  let tokenizer: PreTrainedTokenizer;
  let reference: PreTrainedModel;

  beforeAll(async () => {
    ({ accel, tokenizer, reference } = await loadForgedDecoder({ id, modelRoot, skill: llamaSkill, endpoint: { id: modelType, isolation: 'inline' }, tokenizer: AutoTokenizer, model: AutoModelForCausalLM }));
  });
  afterAll(() => accel.dispose());

  it(`is declared in modelTypes and runs as transformers.js's ${className}`, () => {
    expect(llamaSkill.modelTypes).toContain(modelType);
    expect(reference.constructor.name).toBe(className);
  });

  decoderGenerationTests(() => ({
    generate: (prompt, options) => accel.infer(llamaSkill, prompt, options),
    stream: (prompt, options) => accel.stream(llamaSkill, prompt, options),
    greedyWithoutCache: (prompt, newTokens) => referenceGreedyTokens({ model: reference, tokenizer, endOfSequence }, prompt, newTokens),
    decode: (tokens) => tokenizer.decode([...tokens], { skip_special_tokens: true }),
  }));

  it('reads a chat as the tokens transformers.js’s chat template gives, and generates from it', async () => {
    const chat = [{ role: 'user' as const, content: 'Name a colour.' }];
    const { output, provenance } = await accel.infer(llamaSkill, chat, { maxNewTokens: 6 });
    expect(provenance.usage?.inputTokens).toBe((tokenizer.apply_chat_template(chat, { add_generation_prompt: true, return_tensor: false, return_dict: false }) as number[]).length);
    expect(output.tokens.length).toBeGreaterThan(0);
  });
});
