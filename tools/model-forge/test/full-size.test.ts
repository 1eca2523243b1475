import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forgeModel } from '../src/index.js';
import { summarizeModel } from './helpers/onnx-reader.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

env.allowRemoteModels = false;

const roots = new TemporaryRoots();
afterAll(() => roots.removeAll());

describe('full-size onnx-community/bert-tiny-ONNX', () => {
  it('has the real parameter count and runs in transformers.js', async () => {
    const forged = await forgeModel('onnx-community/bert-tiny-ONNX', { root: await roots.create(), size: 'full' });
    const summary = summarizeModel(await readFile(join(forged.directory, 'onnx/model.onnx')));
    const weights = summary.initializers.filter((initializer) => !initializer.name.startsWith('const_'));
    expect(weights).toHaveLength(5 + 2 * 16 + 2);
    expect(weights.every((weight) => weight.dataType === 1)).toBe(true);
    expect(weights.reduce((total, weight) => total + weight.rawBytes / 4, 0)).toBe(4_385_920);
    expect(weights.find((weight) => weight.name === 'embeddings.word_embeddings.weight')?.dims).toEqual([30522, 128]);

    const config = JSON.parse(await readFile(join(forged.directory, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512, vocab_size: 30522 });

    const tokenizer = await AutoTokenizer.from_pretrained(forged.directory, { local_files_only: true });
    const model = await AutoModel.from_pretrained(forged.directory, { local_files_only: true, dtype: 'fp32' });
    const inputs = tokenizer('A full-size model still loads offline.');
    expect(tokenizer.model_max_length).toBe(512);
    const outputs = await model(inputs);
    expect(outputs.last_hidden_state.dims).toEqual([1, inputs.input_ids.dims[1], 128]);
  });
});
