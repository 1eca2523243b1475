import type { BackendProbe } from '../backend/v1/backend-probe.js';
import type { Dtype } from '../backend/v1/dtype.js';

/** Lifecycle of an endpoint: `added` → `loading` → `ready` (or `failed`) → `removed`. */
export type EndpointState = 'added' | 'loading' | 'ready' | 'failed' | 'removing';

/** A snapshot of one endpoint, as returned by `status()`. */
export interface EndpointStatus {
  readonly id: string;
  readonly skill: string;
  readonly model: string;
  readonly backend: string;
  readonly device: string;
  readonly dtype: Dtype;
  readonly state: EndpointState;
  /** Why loading failed, when `state` is `failed`. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Absolute model folder and files loaded, once ready. */
  readonly modelDirectory?: string;
  readonly modelFiles: readonly string[];
  readonly loadMs?: number;
  readonly queue: { readonly pending: number; readonly capacity: number; readonly busy: boolean };
  /** Items served since the endpoint was added. */
  readonly served: number;
  /** The backend's probe for this endpoint's device, once initialised. */
  readonly probe?: BackendProbe;
}
