// Times the kit's CLIP-style pixel-values route against transformers.js's CLIPImageProcessor on the
// same decoded 640 × 480 image, alternating rounds in one process, and checks they agree.
// Run after building the kit: npm run bench:pixel-values -w @accel/transformers-kit
import { clipImageProcessorConfig } from '@accel/model-forge';
import { CLIPImageProcessor, RawImage } from '@huggingface/transformers';
import { createPixelValuesReader } from '../dist/index.js';

// The same diagonal gradient as test/fixtures/gradient-pixels.ts.
function gradientPixels(width, height, seed) {
  const data = Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * seed + Math.floor(index / (width * 3)) * 11) % 256);
  return { data, width, height, channels: 3 };
}

const processor = new CLIPImageProcessor(clipImageProcessorConfig());
const image = gradientPixels(640, 480, 7);
const read = await createPixelValuesReader(processor);
const subjects = {
  'transformers-kit (sharp affine + lookup pass)': () => read(image),
  'transformers.js CLIPImageProcessor': () => processor.preprocess(new RawImage(image.data, image.width, image.height, 3)),
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rounds = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < 5; round += 1) {
  for (const [name, run] of Object.entries(subjects)) {
    for (let warm = 0; warm < 5; warm += 1) await run();
    const times = [];
    for (let sample = 0; sample < 40; sample += 1) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    rounds[name].push(median(times));
  }
}
const [ours, theirs] = Object.keys(subjects).map((name) => median(rounds[name]));
const a = (await read(image)).data;
const b = (await subjects['transformers.js CLIPImageProcessor']()).pixel_values.data;
let gap = 0;
for (let index = 0; index < a.length; index += 1) gap = Math.max(gap, Math.abs(a[index] - b[index]));
for (const name of Object.keys(subjects)) console.log(`${name}: ${median(rounds[name]).toFixed(2)} ms (median of 5 rounds × 40)`);
console.log(`ratio transformers-kit ÷ transformers.js: ${(ours / theirs).toFixed(2)}; largest difference ${gap}`);
