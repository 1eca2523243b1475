import type { Dtype } from '../../backend/v1/dtype.js';
import type { InferenceSessionV1 } from '../../backend/v1/inference-session-v1.js';
import type { ResolvedModel } from '../../model-source/resolved-model.js';

/** What the registry hands a skill so it can load one model on one device. */
export interface SkillLoadContext {
  readonly model: ResolvedModel;
  readonly backend: string;
  readonly device: string;
  readonly dtype: Dtype;
  /** The endpoint's context length, when the user set one. */
  readonly contextLength: number | undefined;
  /**
   * True when the endpoint asked for every session at load (`EndpointOptions.preload`). Otherwise
   * (false or absent) a skill may open sessions that only some requests need on the first such
   * request: the context stays usable after `doLoad` returns, and files it opens later join the
   * provenance.
   */
  readonly preload?: boolean;
  /**
   * Loads `onnx/<sessionName><dtype suffix>.onnx` on the endpoint's backend and device, and
   * records the file in the result's provenance (also when called after `doLoad` returned).
   * Given several names (alternatives, as in `requiredFiles`), loads the first whose file the
   * folder holds.
   */
  createSession(sessionName: string | readonly string[]): Promise<InferenceSessionV1>;
  /** Records a file that was read by other means (e.g. a tokenizer loaded by transformers.js) in the provenance. */
  recordFile(relativePath: string): void;
  /** Reads and parses a JSON file of the model folder, e.g. `config.json`. */
  readJson<T = unknown>(relativePath: string): Promise<T>;
}
