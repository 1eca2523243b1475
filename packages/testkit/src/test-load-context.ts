import { basename } from 'node:path';
import { createLoadContext, type BackendV1, type Dtype, type SkillLoadContext } from '@accel/core';

/**
 * The load context the registry would give a skill, over a model folder and a backend — for
 * tests that call `skill.doLoad` directly, without a registry.
 */
export function createTestLoadContext(directory: string, backend: BackendV1, dtype: Dtype = 'fp32'): SkillLoadContext {
  return createLoadContext({ model: { id: basename(directory), directory, source: 'folder' }, backend, device: backend.name, dtype, contextLength: undefined }).context;
}
