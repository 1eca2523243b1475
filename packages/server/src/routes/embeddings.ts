import type { App, ServerContext } from '../context.js';

/** `POST /v1/embeddings` (OpenAI, with base64 and `dimensions`; media through Infinity's `modality`). */
export function registerEmbeddingsRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}
