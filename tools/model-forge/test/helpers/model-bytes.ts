import type { ModelDefinition } from '../../src/index.js';
import { onnxContent } from '../../src/index.js';

/** The whole encoded model in memory (fine for the small graphs of the tests). */
export function modelBytes(model: ModelDefinition): Uint8Array {
  const content = onnxContent(model);
  const bytes = new Uint8Array(content.byteLength);
  let offset = 0;
  for (const chunk of content.chunks) {
    const part = chunk instanceof Uint8Array ? chunk : chunk.produce();
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
