import { join } from 'node:path';
import type { SkillV1 } from '@accel/core';
import { writeTestImages } from '../inputs/test-image.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createClipVisionPipelineSubject } from '../subjects/pipeline-clip-vision.js';
import { createRawClipVisionSubject } from '../subjects/raw-clip-vision.js';
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
