import type { App, ServerContext } from '../context.js';

/** `POST /v1/chat/completions` and `/v1/completions` (OpenAI, SSE with include_usage). */
export function registerChatRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const chatPaths: Record<string, unknown> = {};
