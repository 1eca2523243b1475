import type { App, ServerContext } from '../context.js';
import type { ServerEndpointOptions } from '../create-server.js';

/** What the admin routes may do to the server's endpoints. */
export interface AdminActions {
  /** 401 unless the header carries the admin key. */
  authorize(header: string | undefined): void;
  /** Adds an endpoint to the registry and to what the server serves; `loaded` settles when it has loaded (at once for a lazy one). */
  add(endpoint: ServerEndpointOptions): { id: string; loaded: Promise<void> };
  /** Removes a served endpoint (404 when the server does not serve it). */
  remove(id: string): Promise<void>;
}

/** `POST /v1/accel/endpoints` and `DELETE /v1/accel/endpoints/{id}`, behind the admin key. */
export function registerAdminRoutes(_app: App, _context: ServerContext, _actions: AdminActions): void {
  // Not built yet.
}

/** This module's routes in the OpenAPI document (OpenAPI 3.1 path items, request bodies as JSON Schema). */
export const adminPaths: Record<string, unknown> = {};
