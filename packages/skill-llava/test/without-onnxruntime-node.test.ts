import { createCpuBackend } from '@accel/backend-cpu';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillWithoutOnnxruntimeNode } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { llavaSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

testSkillWithoutOnnxruntimeNode({
  skill: llavaSkill,
  backend: () => createWasmBackend({ threads: 1 }),
  reference: () => createCpuBackend({ threads: 1 }),
  model: async () => (await forgeModel('llava-hf/llava-interleave-qwen-0.5b-hf', { root: modelRoot })).directory,
});
