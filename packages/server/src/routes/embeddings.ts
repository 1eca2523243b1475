import type { App, ServerContext } from '../context.js';

/** `POST /v1/embeddings` (OpenAI, with base64 and `dimensions`; media through Infinity's `modality`). */
export function registerEmbeddingsRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const embeddingsPaths: Record<string, unknown> = {};
