import type { App, ServerContext } from '../context.js';

/** `POST /v1/classify` (Infinity's shape) for zero-shot and label classifiers. */
export function registerClassifyRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}
