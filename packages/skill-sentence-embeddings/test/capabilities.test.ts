import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentenceEmbeddingsSkill } from '../src/index.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let accel: Accel;
let directory = '';

beforeAll(async () => {
  ({ directory } = await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot }));
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [sentenceEmbeddingsSkill] });
  accel.addEndpoint({ id: 'minilm', skill: sentenceEmbeddingsSkill, model: directory });
  await accel.init();
});

afterAll(async () => {
  await accel.dispose();
});

describe('sentence-embeddings usage', () => {
  it('reports the tokens each text used, as transformers.js counts them (special tokens included), and the cut length for a text over the context', async () => {
    const long = 'the cat sat on the mat '.repeat(40);
    const texts = ['a cat', 'the quick brown fox jumps over the lazy dog', long];
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const counts = texts.map((text) => tokenizer.encode(text).length);
    // The forged model's context is 128 tokens: the long text is cut to it.
    expect(counts[2]).toBeGreaterThan(128);
    const { provenance } = await accel.infer(sentenceEmbeddingsSkill, texts);
    expect(provenance.usage).toEqual({ inputTokens: counts[0]! + counts[1]! + 128, outputTokens: 0 });
    const single = await accel.infer(sentenceEmbeddingsSkill, 'the quick brown fox jumps over the lazy dog');
    expect(single.provenance.usage).toEqual({ inputTokens: counts[1], outputTokens: 0 });
  });
});

describe('sentence-embeddings capabilities', () => {
  const embed = sentenceEmbeddingsSkill.capabilities!.embed!;

  it('embeds texts through the standard request: the same vectors as the skill’s own input', async () => {
    expect(embed.modalities).toEqual(['text']);
    const texts = ['a cat', 'a dog'];
    const request = embed.request({ modality: 'text', items: texts });
    const viaCapability = embed.vectors((await accel.infer(sentenceEmbeddingsSkill, request.input, request.options)).output);
    const direct = (await accel.infer(sentenceEmbeddingsSkill, texts)).output.embeddings;
    expect(viaCapability).toHaveLength(2);
    viaCapability.forEach((vector, row) => expect(Array.from(vector)).toEqual(Array.from(direct[row]!)));
  });

  it('refuses a modality it does not embed, naming the one it does', () => {
    expect(() => embed.request({ modality: 'image', items: [new Uint8Array([1])] })).toThrow(InvalidInputError);
    expect(() => embed.request({ modality: 'image', items: [new Uint8Array([1])] })).toThrow(/can embed text, not image/);
  });
});
