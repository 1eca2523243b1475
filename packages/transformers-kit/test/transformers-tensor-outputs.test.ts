import type { InferenceSessionV1, SkillLoadContext, TensorLike } from '@accel/core';
import { describe, expect, it } from 'vitest';
import { loadTransformersBuild, withTransformersTensorOutputs } from '../src/index.js';

function plainContext(recorded: string[]): SkillLoadContext {
  const output: TensorLike = { type: 'float32', data: Float32Array.from([1, 2, 3]), dims: [1, 3] };
  const session: InferenceSessionV1 = {
    inputNames: ['x'],
    outputNames: ['y'],
    inputMetadata: [],
    outputMetadata: [],
    run: async () => ({ y: output }),
    release: async () => undefined,
  };
  return {
    model: { id: 'plain', directory: '/nowhere', source: 'folder' },
    backend: 'fake',
    device: 'cpu',
    dtype: 'fp32',
    contextLength: 7,
    createSession: async (name) => (recorded.push(`session ${name}`), session),
    recordFile: (path) => void recorded.push(`file ${path}`),
    readJson: async <T>(path: string) => (recorded.push(`json ${path}`), { path } as T),
  };
}

describe('withTransformersTensorOutputs', () => {
  it("re-creates session outputs, without copying, as the loaded transformers.js build's tensor class", async () => {
    const { Tensor } = await loadTransformersBuild();
    const recorded: string[] = [];
    const context = withTransformersTensorOutputs(plainContext(recorded));
    const session = await context.createSession('model');
    const { y } = await session.run({});
    expect(y).toBeInstanceOf(Tensor);
    expect(y!.dims).toEqual([1, 3]);
    expect(Array.from(y!.data as Float32Array)).toEqual([1, 2, 3]);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
  });

  it('keeps everything else of the context, and wraps a wrapped context only once', async () => {
    const recorded: string[] = [];
    const plain = plainContext(recorded);
    const context = withTransformersTensorOutputs(plain);
    expect(withTransformersTensorOutputs(context)).toBe(context);
    expect([context.model, context.backend, context.device, context.dtype, context.contextLength]).toEqual([plain.model, 'fake', 'cpu', 'fp32', 7]);
    context.recordFile('tokenizer.json');
    expect(await context.readJson('config.json')).toEqual({ path: 'config.json' });
    await context.createSession('model');
    expect(recorded).toEqual(['file tokenizer.json', 'json config.json', 'session model']);
  });
});
