import { createCpuBackend } from '@accel/backend-cpu';
import { createAccel, InvalidModelError } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { describe, expect, it } from 'vitest';
import { whisperSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

describe('a model folder of another family', () => {
  it('given to whisper is ACCEL_INVALID_MODEL naming the model_type it holds, not ACCEL_MODEL_NOT_FOUND', async () => {
    const { directory } = await forgeModel('Xenova/all-MiniLM-L6-v2', { root: modelRoot });
    const accel = createAccel({ backends: [createCpuBackend({ threads: 1 })] });
    const id = accel.addEndpoint({ skill: whisperSkill, model: directory });
    const error = await accel.init(id).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(InvalidModelError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ACCEL_INVALID_MODEL', reason: 'its config.json has model_type "bert", and the whisper skill serves model_type whisper' });
    await accel.dispose();
  });
});
