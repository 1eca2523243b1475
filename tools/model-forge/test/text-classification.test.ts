import { join } from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import type { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel, textClassificationFiles, writeFileAtomically } from '../src/index.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const roots = new TemporaryRoots();
let root = '';
beforeAll(async () => {
  root = await roots.create();
});
afterAll(() => roots.removeAll());

const sst2 = 'Xenova/distilbert-base-uncased-finetuned-sst-2-english';

interface Scored {
  readonly label: string;
  readonly score: number;
}

describe(`tiny ${sst2} (DistilBertForSequenceClassification)`, () => {
  it('declares input_ids and attention_mask (no token_type_ids) and gives logits [batch, 2] that depend on the text', async () => {
    const { directory } = await forgeModel(sst2, { root });
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForSequenceClassification.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    expect(model.config.model_type).toBe('distilbert');
    const session = (model as unknown as { sessions: { model: { inputNames: string[]; outputNames: string[] } } }).sessions.model;
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids']);
    expect(session.outputNames).toEqual(['logits']);
    const { logits } = (await model(tokenizer(['I love it', 'the water is cold and grey'], { padding: true }))) as { logits: Tensor };
    expect(logits.dims).toEqual([2, 2]);
    const [first, second] = logits.tolist() as number[][];
    expect(first!.every(Number.isFinite)).toBe(true);
    expect(Math.abs(first![0]! - second![0]!) + Math.abs(first![1]! - second![1]!)).toBeGreaterThan(1e-3);
  });

  it("runs in transformers.js's text-classification pipeline with the model's labels", async () => {
    const { directory } = await forgeModel(sst2, { root });
    const classify = await pipeline('text-classification', directory, { local_files_only: true, dtype: 'fp32' });
    const best = (await classify('I love it')) as Scored[];
    expect(best).toHaveLength(1);
    expect(['NEGATIVE', 'POSITIVE']).toContain(best[0]!.label);
    const all = (await classify('I love it', { top_k: null })) as Scored[];
    expect(all.map((entry) => entry.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(all[0]!.score + all[1]!.score).toBeCloseTo(1, 6);
    const other = (await classify('a long and rather boring afternoon', { top_k: null })) as Scored[];
    expect(other.find((entry) => entry.label === 'POSITIVE')!.score).not.toBeCloseTo(all.find((entry) => entry.label === 'POSITIVE')!.score, 6);
  });

  it('gives close logits from model_quantized.onnx', async () => {
    const { directory } = await forgeModel(sst2, { root });
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const inputs = tokenizer('the quick brown fox');
    const logitsOf = async (dtype: 'fp32' | 'q8') => {
      const model = await AutoModelForSequenceClassification.from_pretrained(directory, { local_files_only: true, dtype });
      return ((await model(inputs)) as { logits: Tensor }).logits.tolist() as number[][];
    };
    const [full, quantized] = [await logitsOf('fp32'), await logitsOf('q8')];
    full[0]!.forEach((value, index) => expect(Math.abs(value - quantized[0]![index]!)).toBeLessThan(0.05));
  });
});

describe('BertForSequenceClassification from textClassificationFiles', () => {
  it('declares token_type_ids, and a multi-label config makes the pipeline use a sigmoid', async () => {
    const directory = join(root, 'bert-multi-label');
    const labels = ['toxic', 'insult', 'threat'];
    const files = textClassificationFiles({
      id: 'forge/bert-multi-label',
      modelType: 'bert',
      dimensions: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 },
      labels,
      problemType: 'multi_label_classification',
    });
    for (const file of files) await writeFileAtomically(join(directory, file.path), file.content);
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await AutoModelForSequenceClassification.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
    const session = (model as unknown as { sessions: { model: { inputNames: string[] } } }).sessions.model;
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'token_type_ids']);
    const logits = (((await model(tokenizer('you are nice'))) as { logits: Tensor }).logits.tolist() as number[][])[0]!;
    expect(logits).toHaveLength(3);
    const classify = await pipeline('text-classification', directory, { local_files_only: true, dtype: 'fp32' });
    const scored = (await classify('you are nice', { top_k: null })) as Scored[];
    for (const [index, label] of labels.entries()) {
      const sigmoid = 1 / (1 + Math.exp(-logits[index]!));
      expect(scored.find((entry) => entry.label === label)!.score).toBeCloseTo(sigmoid, 6);
    }
  });
});
