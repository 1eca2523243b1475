import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageProcessorConfig, TransformersImageProcessor } from '@accel/transformers-kit/encoders';
import type { SkillV1 } from '@accel/core';
import { writeTestImages } from '../inputs/test-image.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createClipVisionPipelineSubject } from '../subjects/pipeline-clip-vision.js';
import { createRawClipVisionSubject } from '../subjects/raw-clip-vision.js';
import { loadTransformers } from '../subjects/transformers-library.js';
import type { BenchProfile } from './bench-profile.js';

/**
 * `clip` image embeddings on Xenova/clip-vit-base-patch32 (ViT-B/32), from 640 × 480 PNG files:
 * accel's time includes decoding and preprocessing; the raw peer runs on prepared pixel values.
 */
export const clipProfile: BenchProfile = {
  id: 'clip',
  skill: { name: 'clip', load: async () => (await import('@accel/skill-clip')).clipSkill as SkillV1 },
  model: 'Xenova/clip-vit-base-patch32',
  family: 'vision',
  measures: ['latency', 'batch'],
  // A batch of 32 takes about 2 s on 2 cores: `--quick` measures batch-1 latency only (the goal's measure).
  quickBackends: ['cpu'],
  quickMeasures: ['latency'],
  skipBackends: { wasm: 'not measured: one batch of 32 images takes about 12 s on 2 cores with onnxruntime-web, too long for the run' },
  async prepare({ model, inputsDirectory }) {
    const images = await writeTestImages(join(inputsDirectory, 'images'), 4);
    return {
      accel: (skill, backend, endpoint) => createAccelSubject({ skill, backend, endpoint, model, samples: images, request: (samples) => ({ input: { images: samples } }) }),
      async preprocessing() {
        // The reader accel's CLIP skill builds from the same preprocessor_config.json (the fast route
        // for CLIP's settings; transformers.js's processor for anything else), on the same images.
        const { createPixelValuesReaderFromConfig } = await import('@accel/transformers-kit/encoders');
        const config = JSON.parse(await readFile(join(model, 'preprocessor_config.json'), 'utf8')) as ImageProcessorConfig;
        const read = await createPixelValuesReaderFromConfig(config, async () => {
          const { CLIPImageProcessor } = await loadTransformers();
          return new CLIPImageProcessor(config as ConstructorParameters<typeof CLIPImageProcessor>[0]) as unknown as TransformersImageProcessor;
        });
        const samples = 24;
        for (let index = 0; index < 4; index += 1) await read(images[index % images.length]!);
        const durations: number[] = [];
        for (let index = 0; index < samples; index += 1) {
          const startedAt = performance.now();
          await read(images[index % images.length]!);
          durations.push(performance.now() - startedAt);
        }
        durations.sort((left, right) => left - right);
        return {
          what: 'decoding and preprocessing one of the 640 × 480 PNG files (resize, centre crop, normalise), as accel does it, alone on the bench\'s thread',
          status: 'measured',
          medianMs: (durations[(samples - 1) >> 1]! + durations[samples >> 1]!) / 2,
          samples,
        };
      },
      async peers(backend) {
        const runtime = onnxRuntimeFor(backend);
        return [
          runtime
            ? createRawClipVisionSubject({ runtime: await runtime(), model, images })
            : { role: 'onnxruntime', label: 'session.run', skipped: `no direct runtime peer for ${backend}` },
          backend === 'cpu'
            ? createClipVisionPipelineSubject({ model, images })
            : { role: 'pipeline', label: 'CLIPVisionModelWithProjection', skipped: `transformers.js in Node has no ${backend} device` },
        ];
      },
    };
  },
};
