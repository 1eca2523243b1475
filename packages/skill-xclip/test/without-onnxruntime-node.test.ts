import { createCpuBackend } from '@accel/backend-cpu';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillWithoutOnnxruntimeNode } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { xclipSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

testSkillWithoutOnnxruntimeNode({
  skill: xclipSkill,
  backend: () => createWasmBackend({ threads: 1 }),
  reference: () => createCpuBackend({ threads: 1 }),
  model: async () => (await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot })).directory,
});
