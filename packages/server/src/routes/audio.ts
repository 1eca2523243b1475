import type { App, ServerContext } from '../context.js';

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations` (OpenAI multipart, every response_format). */
export function registerAudioRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const audioPaths: Record<string, unknown> = {};
