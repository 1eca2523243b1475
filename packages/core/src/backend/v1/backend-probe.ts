import type { Dtype } from './dtype.js';

/** One device a backend can place sessions on. */
export interface DeviceInfo {
  /** Label used in endpoint options: `cpu`, `cuda:0`, `openvino:GPU`, … */
  readonly label: string;
  /** Human-readable name, e.g. the CPU model or GPU product name. */
  readonly name: string;
  /** Total device memory in bytes, when the backend can measure it. */
  readonly memoryBytes?: number;
  /** Free device memory in bytes, when the backend can measure it. */
  readonly freeMemoryBytes?: number;
  /** Logical cores (CPU backends). */
  readonly cores?: number;
}

/**
 * What a backend found on this machine. Measured, never assumed: a backend that cannot run
 * says so with the reason and, when one exists, the command that fixes it.
 */
export interface BackendProbe {
  readonly backend: string;
  readonly available: boolean;
  /** Why the backend cannot run here. Present exactly when `available` is false. */
  readonly reason?: string;
  /** A command or step that makes it available. */
  readonly fix?: string;
  readonly devices: readonly DeviceInfo[];
  /** dtypes this backend can run on this machine. */
  readonly dtypes: readonly Dtype[];
  /** Runtime library and version, e.g. `onnxruntime-node 1.30.0`. */
  readonly runtime?: string;
  /** Further measured facts (thread budget, instruction sets, …). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}
