import { createCpuBackend } from '@accel/backend-cpu';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillWithoutOnnxruntimeNode } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { t5Skill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

testSkillWithoutOnnxruntimeNode({
  skill: t5Skill,
  backend: () => createWasmBackend({ threads: 1 }),
  reference: () => createCpuBackend({ threads: 1 }),
  model: async () => (await forgeModel('Xenova/t5-small', { root: modelRoot })).directory,
});
