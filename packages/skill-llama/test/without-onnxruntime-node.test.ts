import { createCpuBackend } from '@accel/backend-cpu';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillWithoutOnnxruntimeNode } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { llamaSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

testSkillWithoutOnnxruntimeNode({
  skill: llamaSkill,
  backend: () => createWasmBackend({ threads: 1 }),
  reference: () => createCpuBackend({ threads: 1 }),
  model: async () => (await forgeModel('Xenova/opt-125m', { root: modelRoot })).directory,
});
