import { createCpuBackend } from '@accel/backend-cpu';
import { createCudaBackend } from '@accel/backend-cuda';
import { createOpenVinoBackend } from '@accel/backend-openvino';
import { createWasmBackend } from '@accel/backend-wasm';
import { testSkillConformance, visionLanguageConformanceFixtures } from '@accel/testkit';
import { forgeModel } from '@accel/model-forge';
import { llavaNextSkill } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const maxNewTokens = 6;
const { inputs, invalidInputs, expectOutput } = await visionLanguageConformanceFixtures(maxNewTokens);
const cpu = () => createCpuBackend({ threads: 1 });
const backends = [cpu, () => createCudaBackend(), () => createOpenVinoBackend(), () => createWasmBackend({ threads: 1 })];

for (const backend of backends) {
  await testSkillConformance({
    skill: llavaNextSkill,
    backend,
    reference: cpu,
    model: async () => (await forgeModel('accel/llava-next-qwen2-0.5b', { root: modelRoot })).directory,
    inputs,
    options: { maxNewTokens },
    invalidInputs,
    expectOutput,
  });
}
