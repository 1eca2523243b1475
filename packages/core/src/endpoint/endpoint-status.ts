import type { BackendProbe, DeviceInfo } from '../backend/v1/backend-probe.js';
import type { Dtype } from '../backend/v1/dtype.js';
import type { FallbackStep } from '../provenance/provenance.js';

/** Lifecycle of an endpoint: `added` → `loading` → `ready` (or `failed`) → `removed`. */
export type EndpointState = 'added' | 'loading' | 'ready' | 'failed' | 'removing';

/** A snapshot of one endpoint, as returned by `status()`. */
export interface EndpointStatus {
  readonly id: string;
  readonly skill: string;
  readonly model: string;
  readonly backend: string;
  readonly device: string;
  /** Name, memory and cores of the device, as its backend's probe measured them. */
  readonly deviceInfo?: DeviceInfo;
  readonly dtype: Dtype;
  readonly state: EndpointState;
  readonly isolation: 'worker' | 'inline';
  /** Intra-op threads each of the endpoint's sessions was given (per replica). */
  readonly threads?: number;
  /** Copies of the model serving batches at once: the `replicas` asked for, fewer when the thread share is smaller. */
  readonly replicas: number;
  /** Device labels tried in order (the endpoint's backend, then its fallbacks). */
  readonly chain: readonly string[];
  /** Every move down the chain so far, with its reason. */
  readonly fallbacks: readonly FallbackStep[];
  /** Id of the `…:*` endpoint this one was expanded from. */
  readonly group?: string;
  /** Why loading failed, when `state` is `failed`. */
  readonly error?: { readonly code: string; readonly message: string };
  /**
   * Absolute model folder and files loaded, once ready. Sessions a skill opens on demand (see
   * `EndpointOptions.preload`) join `modelFiles` when the first request that needs them loads them.
   */
  readonly modelDirectory?: string;
  readonly modelFiles: readonly string[];
  readonly loadMs?: number;
  readonly queue: { readonly pending: number; readonly capacity: number; readonly busy: boolean };
  /** Items served since the endpoint was added. */
  readonly served: number;
  /** The latest probe of the backend serving (or last tried by) this endpoint. */
  readonly probe?: BackendProbe;
}
