import { join } from 'node:path';
import type { BenchSubject } from './bench-subject.js';
import type { OnnxRuntime, RuntimeSession, RuntimeTensor } from './onnx-runtime.js';
import { loadTransformers } from './transformers-library.js';

/**
 * CLIP's `onnx/vision_model.onnx` run directly on `pixel_values` built before timing (the images
 * are decoded and preprocessed once, at load), so only `session.run` is timed.
 */
export function createRawClipVisionSubject(options: { runtime: OnnxRuntime; model: string; images: readonly string[] }): BenchSubject {
  let session: RuntimeSession | undefined;
  let pixels: Float32Array[] = [];
  const batches = new Map<string, RuntimeTensor>();
  const { runtime } = options;

  const pixelValues = (start: number, count: number): RuntimeTensor => {
    const key = `${start % pixels.length}:${count}`;
    const cached = batches.get(key);
    if (cached) return cached;
    const size = pixels[0]!.length;
    const side = Math.round(Math.sqrt(size / 3));
    const data = new Float32Array(count * size);
    for (let row = 0; row < count; row += 1) data.set(pixels[(start + row) % pixels.length]!, row * size);
    const tensor = runtime.tensor('float32', data, [count, 3, side, side]);
    batches.set(key, tensor);
    return tensor;
  };

  return {
    role: 'onnxruntime',
    label: `${runtime.name.split(' ')[0]} session.run`,
    runtime: runtime.name,
    notes: ['pixel_values prepared before timing, session.run only', runtime.sessionNote],
    async load() {
      const { AutoProcessor, RawImage } = await loadTransformers();
      const processor = await AutoProcessor.from_pretrained(options.model, { local_files_only: true });
      pixels = [];
      for (const path of options.images) {
        const { pixel_values: values } = (await processor(await RawImage.read(path))) as { pixel_values: { data: Float32Array } };
        pixels.push(values.data);
      }
      session = await runtime.createSession(join(options.model, 'onnx', 'vision_model.onnx'));
    },
    async runSingle(index) {
      await session!.run({ pixel_values: pixelValues(index, 1) });
    },
    async runBatch(size) {
      await session!.run({ pixel_values: pixelValues(0, size) });
    },
    async dispose() {
      await session?.release();
    },
  };
}
