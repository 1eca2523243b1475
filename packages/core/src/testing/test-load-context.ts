import { basename } from 'node:path';
import type { BackendV1 } from '../backend/v1/backend-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import { createLoadContext } from '../model-source/create-load-context.js';
import type { SkillLoadContext } from '../skill/v1/skill-load-context.js';

/**
 * The load context the registry would give a skill, over a model folder and a backend — for
 * tests that call `skill.doLoad` directly, without a registry.
 */
export function createTestLoadContext(directory: string, backend: BackendV1, dtype: Dtype = 'fp32'): SkillLoadContext {
  return createLoadContext({ model: { id: basename(directory), directory, source: 'folder' }, backend, device: backend.name, dtype, contextLength: undefined }).context;
}
