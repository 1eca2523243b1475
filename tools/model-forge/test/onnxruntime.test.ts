import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeModel, listPresets } from '../src/index.js';
import { summarizeModel } from './helpers/onnx-reader.js';
import { TemporaryRoots } from './helpers/temporary-root.js';

const roots = new TemporaryRoots();
let root = '';

beforeAll(async () => {
  root = await roots.create();
});
afterAll(() => roots.removeAll());

function tokens(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]!.length]);
}

const bertIds = listPresets()
  .filter((preset) => preset.family === 'bert')
  .map((preset) => preset.id);

describe.each(bertIds)('tiny %s in onnxruntime-node', (id) => {
  it('declares the BertModel inputs and outputs with symbolic batch and sequence dims', async () => {
    const { directory } = await forgeModel(id, { root });
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state', 'pooler_output']);
    for (const input of session.inputMetadata) {
      expect(input).toMatchObject({ isTensor: true, type: 'int64', shape: ['batch_size', 'sequence_length'] });
    }
    expect(session.outputMetadata).toMatchObject([
      { name: 'last_hidden_state', type: 'float32', shape: ['batch_size', 'sequence_length', 32] },
      { name: 'pooler_output', type: 'float32', shape: ['batch_size', 32] },
    ]);
    await session.release();
  });

  it('uses token_type_ids and attention_mask', async () => {
    const { directory } = await forgeModel(id, { root });
    const session = await ort.InferenceSession.create(join(directory, 'onnx/model.onnx'));
    const inputIds = tokens([[2, 40, 41, 42, 3]]);
    const run = async (tokenTypes: number[], mask: number[]): Promise<Float32Array> => {
      const outputs = await session.run({ input_ids: inputIds, token_type_ids: tokens([tokenTypes]), attention_mask: tokens([mask]) });
      return outputs.last_hidden_state!.data as Float32Array;
    };
    const plain = await run([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]);
    expect(await run([0, 0, 0, 1, 1], [1, 1, 1, 1, 1])).not.toEqual(plain);
    expect(await run([0, 0, 0, 0, 0], [1, 1, 1, 0, 0])).not.toEqual(plain);
    await session.release();
  });

  it('is an opset 17, IR version 8 model with Hugging Face weight names', async () => {
    const { directory } = await forgeModel(id, { root });
    const summary = summarizeModel(await readFile(join(directory, 'onnx/model.onnx')));
    expect(summary.irVersion).toBe(8);
    expect(summary.opsets).toEqual([{ domain: '', version: 17 }]);
    const names = summary.initializers.map((initializer) => initializer.name);
    expect(names).toContain('embeddings.word_embeddings.weight');
    expect(names).toContain('encoder.layer.1.attention.self.query.weight');
    expect(names).toContain('pooler.dense.bias');
    expect(summary.opTypes).toContain('LayerNormalization');
    expect(summary.opTypes).toContain('Erf');
  });
});
