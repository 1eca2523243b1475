import type { App, ServerContext } from '../context.js';

/** `POST /v1/classify` (Infinity's shape) for zero-shot and label classifiers. */
export function registerClassifyRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const classifyPaths: Record<string, unknown> = {};
