import type { BackendProbe } from './backend-probe.js';
import type { Dtype } from './dtype.js';
import type { InferenceSessionV1 } from './inference-session-v1.js';
import type { BackendSource } from '../../worker/module-export.js';

/** What a backend needs to turn one model file into a session. */
export interface CreateSessionOptions {
  /** Absolute path of the `.onnx` file. */
  readonly file: string;
  /** Device label, e.g. `cpu` or `cuda:1`. */
  readonly device: string;
  readonly dtype: Dtype;
  /** Intra-op threads this session may use; the backend's own budget applies when absent. */
  readonly threads?: number;
}

/**
 * A hardware runtime that turns ONNX model files into sessions.
 *
 * Backends never depend on each other or on skills. Methods prefixed `do` are called by the
 * registry, not by users.
 */
export interface BackendV1 {
  readonly specificationVersion: 'v1';
  /** `cpu`, `cuda`, `openvino`, `wasm`, or a third party's name. */
  readonly name: string;
  /** The npm package that provides this backend, for messages and reports. */
  readonly packageName: string;
  /** The factory and options a worker thread can rebuild this backend from; without it endpoints run on the calling thread. */
  readonly source?: BackendSource;
  /** Measures what this backend can do on this machine. Never throws. */
  probe(): Promise<BackendProbe>;
  /** Loads one model file. Throws typed errors (`BackendUnavailableError`, `OutOfMemoryError`, …). */
  doCreateSession(options: CreateSessionOptions): Promise<InferenceSessionV1>;
  /**
   * Maps a runtime failure to a typed accel error (`OutOfMemoryError`, `DeviceError`), or
   * returns undefined when the failure is not one the backend recognises.
   */
  classifyError?(error: unknown, device: string): Error | undefined;
}
