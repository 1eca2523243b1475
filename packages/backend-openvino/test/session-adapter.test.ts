import { createRequire } from 'node:module';
import { InvalidInputError, InvalidModelError, OutOfMemoryError, UnsupportedError, type TensorLike } from '@accel/core';
import type * as OnnxRuntimeCommon from 'onnxruntime-common';
import { Tensor as EsmTensor } from 'onnxruntime-common';
import { describe, expect, it } from 'vitest';
import { standInBackend, standInModelFile, standInSession } from './stand-in-backend.js';

const require = createRequire(import.meta.url);
const { Tensor: CommonJsTensor } = require('onnxruntime-common') as typeof OnnxRuntimeCommon;

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const mixedFeeds = (offset = 0n): Record<string, TensorLike> => ({
  input_ids: { type: 'int64', dims: [2, 2], data: BigInt64Array.from([1n, 2n, 3n, 4n], (value) => value + offset) },
  scores: { type: 'float32', dims: [1, 4], data: Float32Array.from([0.5, 1, 1.5, 2 + Number(offset)]) },
  mask: { type: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) },
});

describe('session adapter against a stand-in of the openvino-node API (not OpenVINO)', () => {
  it('presents names and metadata the way onnxruntime does, dynamic dimensions as strings', async () => {
    const { session, log } = await standInSession('mixed-types');
    expect(log.compileCalls).toHaveLength(2); // a second compilation builds in the boolean input's u8 boundary
    expect(session.inputNames).toEqual(['input_ids', 'scores', 'mask']);
    expect(session.outputNames).toEqual(['next_ids', 'doubled', 'inverted_mask']);
    expect(session.inputMetadata).toEqual([
      { name: 'input_ids', isTensor: true, type: 'int64', shape: ['?', '?'] },
      { name: 'scores', isTensor: true, type: 'float32', shape: ['1..8', 4] },
      { name: 'mask', isTensor: true, type: 'bool', shape: ['?'] },
    ]);
    expect(session.outputMetadata.map(({ type }) => type)).toEqual(['int64', 'float32', 'bool']);
  });

  it('converts int64, float32 and bool in both directions, checked by value', async () => {
    const { session } = await standInSession('mixed-types');
    const outputs = await session.run(mixedFeeds());
    expect(outputs.next_ids).toMatchObject({ type: 'int64', dims: [2, 2] });
    expect(Array.from(outputs.next_ids!.data as BigInt64Array)).toEqual([2n, 3n, 4n, 5n]);
    expect(outputs.doubled?.data).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(outputs.doubled?.dims).toEqual([1, 4]);
    expect(outputs.inverted_mask).toMatchObject({ type: 'bool', dims: [3] });
    expect(outputs.inverted_mask?.data).toEqual(Uint8Array.from([0, 1, 0]));
  });

  it('converts uint8 and int32 in both directions, checked by value', async () => {
    const { session } = await standInSession('small-integers');
    const outputs = await session.run({
      pixels: { type: 'uint8', dims: [2, 2], data: Uint8Array.from([0, 1, 200, 255]) },
      positions: { type: 'int32', dims: [3], data: Int32Array.from([-2, 0, 7]) },
    });
    expect(outputs.inverted_pixels).toMatchObject({ type: 'uint8', dims: [2, 2], data: Uint8Array.from([255, 254, 55, 0]) });
    expect(outputs.negated_positions).toMatchObject({ type: 'int32', dims: [3], data: Int32Array.from([2, -0, -7]) });
  });

  it("returns instances of onnxruntime-common's CommonJS Tensor class, the one onnxruntime-node re-exports", async () => {
    const { session } = await standInSession('mixed-types');
    const outputs = await session.run(mixedFeeds());
    for (const output of Object.values(outputs)) expect(output).toBeInstanceOf(CommonJsTensor);
  });

  it.runIf(resolvable('onnxruntime-node'))(
    `returns tensors that pass transformers.js’s instanceof check against onnxruntime-node’s Tensor${resolvable('onnxruntime-node') ? '' : ' (skipped: onnxruntime-node is not installed here)'}`,
    async () => {
      const onnxRuntimeNode = (await import('onnxruntime-node')) as { Tensor: new (...args: never[]) => unknown };
      const { session } = await standInSession('mixed-types');
      const outputs = await session.run(mixedFeeds());
      for (const output of Object.values(outputs)) expect(output).toBeInstanceOf(onnxRuntimeNode.Tensor);
    },
  );

  it('accepts onnxruntime tensors, typed-array views that do not start at byte 0, and plain number arrays', async () => {
    const { session } = await standInSession('mixed-types');
    const backing = new BigInt64Array([99n, 10n, 20n, 30n, 40n, 99n]);
    const outputs = await session.run({
      input_ids: new EsmTensor('int64', backing.subarray(1, 5), [2, 2]),
      scores: { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] },
      mask: new EsmTensor('bool', Uint8Array.from([0, 0, 1]), [3]),
    });
    expect(Array.from(outputs.next_ids!.data as BigInt64Array)).toEqual([11n, 21n, 31n, 41n]);
    expect(outputs.doubled?.data).toEqual(Float32Array.from([2, 4, 6, 8]));
    expect(outputs.inverted_mask?.data).toEqual(Uint8Array.from([1, 1, 0]));
  });

  it('passes inputs in the model’s order whatever the feeds’ key order (openvino-node sets inputs by position)', async () => {
    const { session } = await standInSession('mixed-types');
    const { input_ids, scores, mask } = mixedFeeds();
    const outputs = await session.run({ mask: mask!, scores: { ...scores!, dims: [1, 4] }, input_ids: input_ids! });
    expect(Array.from(outputs.next_ids!.data as BigInt64Array)).toEqual([2n, 3n, 4n, 5n]);
    expect(outputs.inverted_mask?.data).toEqual(Uint8Array.from([0, 1, 0]));
  });

  it('accepts any length within a bounded dynamic dimension', async () => {
    const { session } = await standInSession('mixed-types');
    const outputs = await session.run({ ...mixedFeeds(), scores: { type: 'float32', dims: [3, 4], data: new Float32Array(12).fill(1) } });
    expect(outputs.doubled?.dims).toEqual([3, 4]);
  });

  it('compiles an f16 port with a float32 boundary: float32 and float16 (bit pattern) feeds both work', async () => {
    const { session, log } = await standInSession('half-precision');
    expect(session.inputMetadata).toEqual([{ name: 'hidden', isTensor: true, type: 'float32', shape: [1, 3] }]);
    expect(log.compileCalls).toHaveLength(2);
    const fromFloat32 = await session.run({ hidden: { type: 'float32', dims: [1, 3], data: Float32Array.from([1, 2, -3]) } });
    expect(fromFloat32.halved).toMatchObject({ type: 'float32', dims: [1, 3], data: Float32Array.from([0.5, 1, -1.5]) });
    const fromFloat16 = await session.run({ hidden: { type: 'float16', dims: [1, 3], data: Uint16Array.from([0x3c00, 0x4000, 0xc200]) } });
    expect(fromFloat16.halved?.data).toEqual(Float32Array.from([0.5, 1, -1.5]));
  });

  it('compiles models without boolean or f16 ports once', async () => {
    const { log } = await standInSession('small-integers');
    expect(log.compileCalls).toHaveLength(1);
  });

  it('when OpenVINO cannot report input types, leaves them out of the metadata and takes the feeds’ own types', async () => {
    const { session } = await standInSession('small-integers', { standIn: { inputTensorsUnavailable: true } });
    expect(session.inputMetadata.map(({ type }) => type)).toEqual([undefined, undefined]);
    expect(session.outputMetadata.map(({ type }) => type)).toEqual(['uint8', 'int32']);
    const outputs = await session.run({
      pixels: { type: 'uint8', dims: [2, 2], data: Uint8Array.from([0, 1, 2, 3]) },
      positions: { type: 'int32', dims: [1], data: Int32Array.from([5]) },
    });
    expect(outputs.negated_positions?.data).toEqual(Int32Array.from([-5]));
  });

  it('passes string tensors through', async () => {
    const { session } = await standInSession('echo-strings');
    const outputs = await session.run({ text: { type: 'string', dims: [2], data: ['a cat', 'a dog'] } });
    expect(outputs.echo).toMatchObject({ type: 'string', dims: [2], data: ['A CAT', 'A DOG'] });
  });

  it('rejects a float16 tensor for a float32 input with UnsupportedError, since openvino-node has no f16 tensor', async () => {
    const { session } = await standInSession('mixed-types');
    const feeds = { ...mixedFeeds(), scores: { type: 'float16', dims: [1, 4], data: new Uint16Array(4) } };
    const error = await session.run(feeds).catch((caught: unknown) => caught);
    expect(UnsupportedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/openvino-node has no f16 tensor type/);
  });

  it('rejects unknown, missing, mistyped and mis-sized feeds with InvalidInputError', async () => {
    const { session } = await standInSession('mixed-types');
    const cases: Array<[Record<string, TensorLike>, RegExp]> = [
      [{ ...mixedFeeds(), extra: { type: 'int64', dims: [1], data: new BigInt64Array(1) } }, /unknown input extra/],
      [{ input_ids: mixedFeeds().input_ids!, scores: mixedFeeds().scores! }, /missing input mask/],
      [{ ...mixedFeeds(), input_ids: { type: 'int32', dims: [2, 2], data: new Int32Array(4) } }, /input_ids expects int64 tensors, got int32/],
      [{ ...mixedFeeds(), scores: { type: 'float32', dims: [1, 4], data: new Float32Array(3) } }, /scores has 3 elements but dims \[1,4\] need 4/],
      [{ ...mixedFeeds(), mask: { type: 'bool', dims: [-1], data: new Uint8Array(1) } }, /invalid dims/],
      [{ ...mixedFeeds(), scores: { type: 'float32', dims: [1, 5], data: new Float32Array(5) } }, /scores has dims \[1,5\] but the model expects \[1\.\.8, 4\]/],
      [{ ...mixedFeeds(), scores: { type: 'float32', dims: [9, 4], data: new Float32Array(36) } }, /scores has dims \[9,4\]/],
      [{ ...mixedFeeds(), input_ids: { type: 'int64', dims: [4], data: new BigInt64Array(4) } }, /input_ids has dims \[4\] but the model expects \[\?, \?\]/],
    ];
    for (const [feeds, message] of cases) {
      const error = await session.run(feeds).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('runs concurrent calls on separate infer requests and reuses them afterwards', async () => {
    const { session, log } = await standInSession('mixed-types', { standIn: { runDelayMs: 20 } });
    const runs = await Promise.all([0n, 1n, 2n, 3n, 4n, 5n].map((offset) => session.run(mixedFeeds(offset))));
    runs.forEach((outputs, index) => {
      expect(Array.from(outputs.next_ids!.data as BigInt64Array)).toEqual([2n, 3n, 4n, 5n].map((value) => value + BigInt(index)));
      expect((outputs.doubled!.data as Float32Array)[3]).toBe((2 + index) * 2);
    });
    expect(log.maxInFlight).toBeGreaterThan(1);
    const created = log.inferRequestsCreated;
    await session.run(mixedFeeds());
    await session.run(mixedFeeds());
    expect(log.inferRequestsCreated).toBe(created);
  });

  it('lets a pending run finish on release, then refuses new runs', async () => {
    const { session } = await standInSession('mixed-types', { standIn: { runDelayMs: 20 } });
    const pending = session.run(mixedFeeds());
    await session.release();
    await expect(pending).resolves.toHaveProperty('next_ids');
    await expect(session.run(mixedFeeds())).rejects.toThrow(/was released/);
  });

  it('maps a runtime failure through classifyRuntimeError (CL_OUT_OF_RESOURCES → OutOfMemoryError)', async () => {
    const { session } = await standInSession('fails-at-run', { standIn: { devices: { GPU: { name: 'Stand-in GPU' } } }, device: 'openvino:GPU' });
    const error = await session.run({ x: { type: 'float32', dims: [1], data: new Float32Array(1) } }).catch((caught: unknown) => caught);
    expect(OutOfMemoryError.isInstance(error)).toBe(true);
    expect((error as OutOfMemoryError).device).toBe('openvino:GPU');
  });

  it('turns a file that cannot be read or compiled into InvalidModelError naming the file', async () => {
    const { backend } = standInBackend();
    for (const graph of ['not-a-stand-in-graph', 'fails-to-compile']) {
      const file = await standInModelFile(graph);
      const error = await backend.doCreateSession({ file, device: 'openvino:CPU', dtype: 'fp32' }).catch((caught: unknown) => caught);
      expect(InvalidModelError.isInstance(error)).toBe(true);
      expect((error as InvalidModelError).file).toBe(file);
    }
  });

  it('compiles with the options as OpenVINO properties; the thread budget applies to the CPU only', async () => {
    const options = { performanceHint: 'THROUGHPUT', inferencePrecision: 'f16', cacheDirectory: '/tmp/openvino-cache' } as const;
    const devices = { CPU: { name: 'Stand-in CPU' }, GPU: { name: 'Stand-in GPU' } };
    const onCpu = await standInSession('small-integers', { options, standIn: { devices }, threads: 2 });
    expect(onCpu.log.compileCalls[0]).toEqual({
      graph: 'small-integers',
      device: 'CPU',
      config: { PERFORMANCE_HINT: 'THROUGHPUT', INFERENCE_PRECISION_HINT: 'f16', CACHE_DIR: '/tmp/openvino-cache', INFERENCE_NUM_THREADS: '2' },
    });
    const onGpu = await standInSession('small-integers', { options, standIn: { devices }, device: 'openvino:GPU', threads: 2 });
    expect(onGpu.log.compileCalls[0]?.config).not.toHaveProperty('INFERENCE_NUM_THREADS');
    const defaults = await standInSession('small-integers');
    expect(defaults.log.compileCalls[0]?.config).toEqual({ PERFORMANCE_HINT: 'LATENCY' });
  });

  it('places a bare `openvino` label on the preferred device', async () => {
    const { log } = await standInSession('small-integers', { standIn: { devices: { CPU: { name: 'Stand-in CPU' }, NPU: { name: 'Stand-in NPU' } } }, device: 'openvino' });
    expect(log.compileCalls[0]?.device).toBe('NPU');
  });

  it('refuses dtypes it does not declare', async () => {
    const error = await standInSession('small-integers', { dtype: 'q4' }).catch((caught: unknown) => caught);
    expect(UnsupportedError.isInstance(error)).toBe(true);
  });
});
