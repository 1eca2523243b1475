import { join } from 'node:path';
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel, InvalidInputError, InvalidModelError } from '@accel/core';
import { forgeModel, textClassificationFiles, writeFileAtomically } from '@accel/model-forge';
import { AutoModelForSequenceClassification, AutoTokenizer, env, pipeline, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RankedLabel, type TextClassificationOutput, textClassificationSkill } from '../src/index.js';

env.allowRemoteModels = false;

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const sst2 = 'Xenova/distilbert-base-uncased-finetuned-sst-2-english';
const multiLabelDirectory = join(modelRoot, 'accel-tests', 'bert-multi-label-toxicity');
const multiLabels = ['toxic', 'insult', 'threat'];

const longText = Array.from({ length: 60 }, (_, index) => `word${index} and more`).join(' ');
const texts = ['I love it', 'the service was slow and the food was cold', 'what a wonderful day'];

let accel: Accel;
let sst2Directory = '';

async function classify(endpoint: string, input: string | readonly string[], options: Record<string, unknown> = {}): Promise<TextClassificationOutput> {
  return (await accel.infer(textClassificationSkill, input as never, { endpoint, ...options })).output;
}

/** transformers.js's own `text-classification` pipeline on the same folder, every label. */
async function reference(directory: string, text: string): Promise<RankedLabel[]> {
  const classifier = await pipeline('text-classification', directory, { local_files_only: true, dtype: 'fp32' });
  return (await classifier(text, { top_k: null })) as RankedLabel[];
}

function expectSameRanking(actual: readonly RankedLabel[], expected: readonly RankedLabel[]): void {
  expect(actual.map((entry) => entry.label)).toEqual(expected.map((entry) => entry.label));
  actual.forEach((entry, index) => expect(Math.abs(entry.score - expected[index]!.score)).toBeLessThan(1e-5));
}

beforeAll(async () => {
  ({ directory: sst2Directory } = await forgeModel(sst2, { root: modelRoot }));
  const files = textClassificationFiles({
    id: 'accel-tests/bert-multi-label-toxicity',
    modelType: 'bert',
    dimensions: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 },
    labels: multiLabels,
    problemType: 'multi_label_classification',
  });
  for (const file of files) await writeFileAtomically(join(multiLabelDirectory, file.path), file.content);
  accel = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [textClassificationSkill] });
  accel.addEndpoint({ id: 'sst2', skill: textClassificationSkill, model: sst2Directory });
  accel.addEndpoint({ id: 'multi-label', skill: textClassificationSkill, model: multiLabelDirectory });
  await accel.init();
});

afterAll(() => accel.dispose());

describe('text-classification on a DistilBERT SST-2 export (softmax)', () => {
  it.each(texts.map((text) => [text.slice(0, 40), text] as const))(
    "matches transformers.js's pipeline, labels and order, within 1e-5: %s",
    async (_name, text) => {
      const [ranking] = (await classify('sst2', text, { topK: 2 })).classifications;
      expectSameRanking(ranking!, await reference(sst2Directory, text));
    },
  );

  it('returns the best label alone by default (topK 1), as the pipeline does', async () => {
    const classifier = await pipeline('text-classification', sst2Directory, { local_files_only: true, dtype: 'fp32' });
    const expected = (await classifier('I love it')) as RankedLabel[];
    const output = await classify('sst2', 'I love it');
    expect(output.classifications).toHaveLength(1);
    expectSameRanking(output.classifications[0]!, expected);
  });

  it('gives the same scores batched (with padding, a truncated text among them) as one text at a time', async () => {
    const batch = [...texts, longText];
    const batched = (await classify('sst2', batch, { topK: 2 })).classifications;
    expect(batched).toHaveLength(batch.length);
    for (const [index, text] of batch.entries()) {
      expectSameRanking(batched[index]!, (await classify('sst2', text, { topK: 2 })).classifications[0]!);
    }
  });

  it("functionToApply 'none' gives the model's logits; a topK above the label count gives every label", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(sst2Directory, { local_files_only: true });
    const model = await AutoModelForSequenceClassification.from_pretrained(sst2Directory, { local_files_only: true, dtype: 'fp32' });
    const logits = (((await model(tokenizer('I love it'))) as { logits: Tensor }).logits.tolist() as number[][])[0]!;
    const [ranking] = (await classify('sst2', 'I love it', { topK: 10, functionToApply: 'none' })).classifications;
    expect(ranking).toHaveLength(2);
    for (const { label, score } of ranking!) expect(Math.abs(score - logits[label === 'NEGATIVE' ? 0 : 1]!)).toBeLessThan(1e-5);
  });

  it('cuts a text longer than the context to it keeping [SEP], as Python transformers does, and notes it', async () => {
    // transformers.js 4.3.2's truncation drops the closing [SEP] instead; the reference here is the
    // model itself on [CLS] + the first 126 tokens + [SEP].
    const { output, provenance } = await accel.infer(textClassificationSkill, longText, { endpoint: 'sst2', topK: 2, functionToApply: 'none' });
    expect(JSON.stringify(provenance)).toMatch(/truncated from \d+ to 128 tokens/);
    const tokenizer = await AutoTokenizer.from_pretrained(sst2Directory, { local_files_only: true });
    const ids = tokenizer.encode(longText);
    expect(ids.length).toBeGreaterThan(128);
    const kept = [...ids.slice(0, 127), ids[ids.length - 1]!];
    const model = await AutoModelForSequenceClassification.from_pretrained(sst2Directory, { local_files_only: true, dtype: 'fp32' });
    const inputIds = new Tensor('int64', BigInt64Array.from(kept, BigInt), [1, 128]);
    const attentionMask = new Tensor('int64', new BigInt64Array(128).fill(1n), [1, 128]);
    const logits = (((await model({ input_ids: inputIds, attention_mask: attentionMask })) as { logits: Tensor }).logits.tolist() as number[][])[0]!;
    for (const { label, score } of output.classifications[0]!) expect(Math.abs(score - logits[label === 'NEGATIVE' ? 0 : 1]!)).toBeLessThan(1e-5);
  });
});

describe('text-classification on a multi-label BERT export (sigmoid, token_type_ids)', () => {
  it("matches transformers.js's pipeline, which applies a sigmoid for problem_type multi_label_classification", async () => {
    for (const text of texts) {
      const [ranking] = (await classify('multi-label', text, { topK: 3 })).classifications;
      expectSameRanking(ranking!, await reference(multiLabelDirectory, text));
      expect(ranking!.reduce((sum, entry) => sum + entry.score, 0)).not.toBeCloseTo(1, 3);
    }
  });

  it("functionToApply 'softmax' overrides the config's sigmoid", async () => {
    const [ranking] = (await classify('multi-label', 'you are nice', { topK: 3, functionToApply: 'softmax' })).classifications;
    expect(ranking!.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 6);
  });
});

describe('text-classification refuses', () => {
  it('bad options with InvalidInputError naming the option', async () => {
    await expect(classify('sst2', 'fine', { topK: 0 })).rejects.toThrow(InvalidInputError);
    await expect(classify('sst2', 'fine', { topK: 0 })).rejects.toThrow(/options\.topK/);
  });

  it('a folder without a sequence-classification head with InvalidModelError', async () => {
    const { directory } = await forgeModel('onnx-community/bert-tiny-ONNX', { root: modelRoot });
    const other = new Accel({ backends: [createCpuBackend({ threads: 1 })], skills: [textClassificationSkill] });
    try {
      other.addEndpoint({ id: 'bert', skill: textClassificationSkill, model: directory });
      const request = other.infer(textClassificationSkill, 'fine', { endpoint: 'bert' });
      await expect(request).rejects.toThrow(InvalidModelError);
      await expect(request).rejects.toThrow(/expected an input_ids input and a logits output/);
    } finally {
      await other.dispose();
    }
  });
});
