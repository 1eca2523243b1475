import { createModel, encodeModel, GraphBuilder } from '@accel/model-forge';
import * as onnxRuntime from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { cudaCheckInput, cudaCheckModel, cudaCheckOutput } from '../src/cuda-check-model.js';

function forgeCheckModel(): Uint8Array {
  const graph = new GraphBuilder('cuda_check');
  const x = graph.input(cudaCheckInput.name, 'float32', [cudaCheckInput.values.length]);
  graph.output(graph.op('Add', [x, x]), cudaCheckOutput.name, 'float32', [cudaCheckOutput.values.length]);
  const message = encodeModel(createModel(graph.build()));
  const bytes = new Uint8Array(message.byteLength);
  let offset = 0;
  for (const chunk of message.chunks) {
    if (!(chunk instanceof Uint8Array)) throw new Error('the check model has no deferred tensors');
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

describe('the probe\'s check model', () => {
  it('is the bytes @accel/model-forge writes for y = Add(x, x) (regenerate the constant if the forge changed)', () => {
    expect(Buffer.from(cudaCheckModel()).toString('base64')).toBe(Buffer.from(forgeCheckModel()).toString('base64'));
  });

  it('is a valid model that computes x + x (run here on the CPU provider, not on a GPU)', async () => {
    const session = await onnxRuntime.InferenceSession.create(cudaCheckModel(), { executionProviders: ['cpu'] });
    const outputs = await session.run({ x: new onnxRuntime.Tensor('float32', Float32Array.from(cudaCheckInput.values), [3]) });
    expect(Array.from(outputs.y?.data as Float32Array)).toEqual(cudaCheckOutput.values);
    await session.release();
  });
});
