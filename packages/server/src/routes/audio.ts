import type { App, ServerContext } from '../context.js';

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations` (OpenAI multipart, every response_format). */
export function registerAudioRoutes(_app: App, _context: ServerContext): void {
  // Not built yet.
}
