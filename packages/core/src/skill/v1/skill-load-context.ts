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
   * Loads `onnx/<sessionName><dtype suffix>.onnx` on the endpoint's backend and device,
   * and records the file in the result's provenance. Given several names (alternatives, as in
   * `requiredFiles`), loads the first whose file the folder holds.
   */
  createSession(sessionName: string | readonly string[]): Promise<InferenceSessionV1>;
  /** Records a file that was read by other means (e.g. a tokenizer loaded by transformers.js) in the provenance. */
  recordFile(relativePath: string): void;
  /** Reads and parses a JSON file of the model folder, e.g. `config.json`. */
  readJson<T = unknown>(relativePath: string): Promise<T>;
}
