import { createCpuBackend } from '@accel/backend-cpu';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillWithoutOnnxruntimeNode } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { clipSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

testSkillWithoutOnnxruntimeNode({
  skill: clipSkill,
  backend: () => createWasmBackend({ threads: 1 }),
  reference: () => createCpuBackend({ threads: 1 }),
  model: async () => (await forgeModel('Xenova/clip-vit-base-patch32', { root: modelRoot })).directory,
});
