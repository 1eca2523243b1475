/*
 * The part of openvino-node's API this backend uses, written structurally so the package
 * type-checks without openvino-node installed. Checked against the published type declarations
 * `types/addon.d.ts` of openvino-node 2025.0.0 and 2026.4.0, and against the binding sources in
 * openvinotoolkit/openvino `src/bindings/js/node/` (`lib/addon.ts`, `lib/index.ts`,
 * `src/tensor.cpp`, `src/helper.cpp`, `src/node_output.cpp`, `src/element_type.cpp`,
 * `src/core_wrap.cpp`, `src/infer_request.cpp`, `src/model_wrap.cpp`).
 * Members marked optional exist only in some of those versions.
 */

/** Property values as `getProperty` returns them. */
export type OpenVinoPropertyValue = string | number | boolean;

/** Typed arrays an `ov.Tensor` can wrap. Its memory must start at byte 0 of its buffer and fill it. */
export type OpenVinoTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** `ov::Dimension` as openvino-node returns it: a length, `-1` (unbounded) or `[min, max]`. */
export type OpenVinoDimension = number | [number, number];

export interface OpenVinoPartialShape {
  getDimensions(): OpenVinoDimension[];
}

/** A model input or output port (`Output` / `ConstOutput`). It carries no element type in JS. */
export interface OpenVinoPort {
  getAnyName(): string;
  getPartialShape(): OpenVinoPartialShape;
}

export interface OpenVinoTensor {
  /** A copy of the tensor's memory as the typed array of its element type (`string[]` for strings). */
  readonly data: OpenVinoTypedArray | string[];
  /** Element type name as OpenVINO prints it: `f32`, `i64`, `boolean`, `f16`, … */
  getElementType(): string;
  getShape(): number[];
  /** Present in 2026.4.0, absent in 2025.0.0. */
  setShape?(shape: number[]): void;
}

export interface OpenVinoTensorConstructor {
  new (type: string, shape: number[]): OpenVinoTensor;
  new (type: string, shape: number[], data: OpenVinoTypedArray): OpenVinoTensor;
  new (strings: string[]): OpenVinoTensor;
}

export interface OpenVinoInferRequest {
  /**
   * Runs on a native thread. Inputs are set by position (`set_input_tensor(i, …)`), also when
   * given as an object, whose property order then decides; outputs are copies keyed by name.
   */
  inferAsync(inputs: OpenVinoTensor[]): Promise<Record<string, OpenVinoTensor>>;
  getInputTensor(index: number): OpenVinoTensor;
}

export interface OpenVinoCompiledModel {
  readonly inputs: OpenVinoPort[];
  readonly outputs: OpenVinoPort[];
  createInferRequest(): OpenVinoInferRequest;
  getProperty(name: string): OpenVinoPropertyValue;
}

export interface OpenVinoModel {
  readonly inputs: OpenVinoPort[];
  readonly outputs: OpenVinoPort[];
  getOutputElementType(index: number): string;
}

export interface OpenVinoVersion {
  readonly buildNumber: string;
  readonly description: string;
}

export interface OpenVinoCore {
  getAvailableDevices(): string[];
  getProperty(device: string, name: string): OpenVinoPropertyValue;
  getVersions(device: string): Record<string, OpenVinoVersion>;
  readModel(path: string): Promise<OpenVinoModel>;
  /** Config values must be strings in some versions (`src/core_wrap.cpp` converts them with `napi_string` only). */
  compileModel(model: OpenVinoModel, device: string, config?: Record<string, string>): Promise<OpenVinoCompiledModel>;
}

interface OpenVinoTensorInfo {
  setElementType(type: string): unknown;
}

export interface OpenVinoPrePostProcessor {
  input(index: number): { tensor(): OpenVinoTensorInfo };
  output(index: number): { tensor(): OpenVinoTensorInfo };
  build(): unknown;
}

/** `addon` as exported by `import { addon } from 'openvino-node'`. */
export interface OpenVinoAddon {
  readonly Core: new () => OpenVinoCore;
  readonly Tensor: OpenVinoTensorConstructor;
  readonly element: Readonly<Record<string, string>>;
  readonly preprocess?: { readonly PrePostProcessor: new (model: OpenVinoModel) => OpenVinoPrePostProcessor };
  /** Present in 2026.4.0, absent in 2025.0.0. */
  getOpenvinoVersion?(): OpenVinoVersion;
}
