/*
 * A STAND-IN OF THE openvino-node API — NOT OpenVINO.
 *
 * It implements, in plain TypeScript, the surface of openvino-node that @accel/backend-openvino
 * calls (Core, Model, PrePostProcessor, CompiledModel, InferRequest, Tensor, element), following
 * the upstream binding's documented behaviour where the backend depends on it:
 * - `ov.Tensor(type, shape, data)` accepts only i8…i64, u8…u64, f32, f64 (no boolean, no f16),
 *   requires the typed array to start at byte 0 of its buffer and fill it exactly;
 * - reading `data` of a boolean/f16 tensor fails ("Failed to return tensor data.");
 * - an infer request rejects a second inference while one is running;
 * - a port's element type must match the tensor's, unless a PrePostProcessor conversion was built in.
 * Its "graphs" compute simple real functions so conversions can be checked by value. Tests that
 * use it check accel's adapter logic only; they say nothing about OpenVINO itself.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

type Values = number[] | bigint[] | string[];
type Dimension = number | [number, number];

interface PortSpec {
  readonly name: string;
  readonly element: string;
  readonly dimensions: Dimension[];
}

interface GraphSpec {
  readonly inputs: PortSpec[];
  readonly outputs: PortSpec[];
  compute(inputs: Record<string, { values: Values; shape: number[] }>): Record<string, { values: Values; shape: number[] }>;
}

const tensorElements = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'f32', 'f64', 'i64', 'u64'];
const typedArrays: Record<string, { new (length: number): ArrayLike<unknown> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number; slice(): unknown }; BYTES_PER_ELEMENT: number }> = {
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
};

const numbers = (values: Values): number[] => (values as unknown[]).map(Number);

export const standInGraphs: Record<string, GraphSpec> = {
  /** int64 + 1, float32 × 2, boolean negated. */
  'mixed-types': {
    inputs: [
      { name: 'input_ids', element: 'i64', dimensions: [-1, -1] },
      { name: 'scores', element: 'f32', dimensions: [[1, 8], 4] },
      { name: 'mask', element: 'boolean', dimensions: [-1] },
    ],
    outputs: [
      { name: 'next_ids', element: 'i64', dimensions: [-1, -1] },
      { name: 'doubled', element: 'f32', dimensions: [[1, 8], 4] },
      { name: 'inverted_mask', element: 'boolean', dimensions: [-1] },
    ],
    compute: ({ input_ids, scores, mask }) => ({
      next_ids: { values: (input_ids!.values as bigint[]).map((value) => value + 1n), shape: input_ids!.shape },
      doubled: { values: numbers(scores!.values).map((value) => value * 2), shape: scores!.shape },
      inverted_mask: { values: numbers(mask!.values).map((value) => (value ? 0 : 1)), shape: mask!.shape },
    }),
  },
  /** uint8 inverted (255 − x), int32 negated. */
  'small-integers': {
    inputs: [
      { name: 'pixels', element: 'u8', dimensions: [2, 2] },
      { name: 'positions', element: 'i32', dimensions: [-1] },
    ],
    outputs: [
      { name: 'inverted_pixels', element: 'u8', dimensions: [2, 2] },
      { name: 'negated_positions', element: 'i32', dimensions: [-1] },
    ],
    compute: ({ pixels, positions }) => ({
      inverted_pixels: { values: numbers(pixels!.values).map((value) => 255 - value), shape: pixels!.shape },
      negated_positions: { values: numbers(positions!.values).map((value) => -value), shape: positions!.shape },
    }),
  },
  /** An f16 model port: halves its input. */
  'half-precision': {
    inputs: [{ name: 'hidden', element: 'f16', dimensions: [1, 3] }],
    outputs: [{ name: 'halved', element: 'f16', dimensions: [1, 3] }],
    compute: ({ hidden }) => ({ halved: { values: numbers(hidden!.values).map((value) => value / 2), shape: hidden!.shape } }),
  },
  'echo-strings': {
    inputs: [{ name: 'text', element: 'string', dimensions: [-1] }],
    outputs: [{ name: 'echo', element: 'string', dimensions: [-1] }],
    compute: ({ text }) => ({ echo: { values: (text!.values as string[]).map((value) => value.toUpperCase()), shape: text!.shape } }),
  },
  'fails-to-compile': {
    inputs: [{ name: 'x', element: 'f32', dimensions: [1] }],
    outputs: [{ name: 'y', element: 'f32', dimensions: [1] }],
    compute: () => ({}),
  },
  'fails-at-run': {
    inputs: [{ name: 'x', element: 'f32', dimensions: [1] }],
    outputs: [{ name: 'y', element: 'f32', dimensions: [1] }],
    compute: () => {
      throw new Error('Exception from src/plugins/intel_gpu/src/runtime/ocl/ocl_stream.cpp: [GPU] clEnqueueNDRangeKernel, error code: -5 CL_OUT_OF_RESOURCES');
    },
  },
};

const internalToken = Symbol('stand-in internal tensor');

class StandInTensor {
  #element: string;
  #shape: number[];
  #values: Values;

  constructor(...args: unknown[]) {
    if (args[0] === internalToken) {
      const [, element, shape, values] = args as [symbol, string, number[], Values];
      this.#element = element;
      this.#shape = [...shape];
      this.#values = values;
      return;
    }
    if (args.length === 1 && Array.isArray(args[0])) {
      this.#element = 'string';
      this.#values = [...(args[0] as string[])];
      this.#shape = [this.#values.length];
      return;
    }
    const [element, shape, data] = args as [string, number[], ArrayLike<unknown> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } | undefined];
    if (!tensorElements.includes(element)) throw new Error('Cannot create ov::element::Type');
    if (!Array.isArray(shape) || !shape.every((dim) => typeof dim === 'number')) throw new Error('Passed array must contain only numbers.');
    const size = shape.reduce((product, dim) => product * dim, 1);
    const ArrayType = typedArrays[element]!;
    if (data === undefined) {
      this.#values = Array.from(new ArrayType(size) as ArrayLike<number | bigint>) as Values;
    } else {
      if (!ArrayBuffer.isView(data)) throw new Error('Third argument of a tensor must be TypedArray.');
      if (data.byteOffset !== 0) throw new Error('TypedArray.byteOffset has to be equal to zero.');
      if (size * ArrayType.BYTES_PER_ELEMENT !== data.buffer.byteLength) throw new Error("Memory allocated using shape and element::type mismatch passed data's size");
      if (!(data instanceof (ArrayType as unknown as new () => object))) throw new Error(`stand-in: ${data.constructor.name} passed for element type ${element}`);
      this.#values = Array.from(data as ArrayLike<number | bigint>) as Values;
    }
    this.#element = element;
    this.#shape = [...shape];
  }

  /** Stand-in only: a tensor of any element type, as OpenVINO itself creates them. */
  static internal(element: string, shape: number[], values: Values): StandInTensor {
    return new StandInTensor(internalToken, element, shape, values);
  }

  static values(tensor: StandInTensor): Values {
    return tensor.#values;
  }

  get data(): unknown {
    if (this.#element === 'string') return [...(this.#values as string[])];
    const ArrayType = typedArrays[this.#element];
    if (ArrayType === undefined) throw new Error('Failed to return tensor data.');
    const array = new ArrayType(this.#values.length) as unknown as { [index: number]: unknown };
    this.#values.forEach((value, index) => (array[index] = value));
    return array;
  }

  getElementType(): string {
    return this.#element;
  }

  getShape(): number[] {
    return [...this.#shape];
  }

  setShape(shape: number[]): void {
    if (shape.reduce((product, dim) => product * dim, 1) !== this.#values.length) throw new Error('Could set new shape: element count differs');
    this.#shape = [...shape];
  }
}

class StandInPort {
  constructor(
    private readonly spec: PortSpec,
    /** Element type at the JS boundary (differs from the model's after a PrePostProcessor conversion). */
    readonly boundaryElement: string,
  ) {}

  get anyName(): string {
    return this.spec.name;
  }

  getAnyName(): string {
    return this.spec.name;
  }

  getPartialShape(): { getDimensions(): Dimension[]; toString(): string } {
    const dimensions = this.spec.dimensions;
    return { getDimensions: () => dimensions.map((dimension) => (Array.isArray(dimension) ? [...dimension] : dimension)) as Dimension[], toString: () => `[${dimensions.join(',')}]` };
  }

  get modelElement(): string {
    return this.spec.element;
  }
}

export class StandInModel {
  readonly inputBoundary: Map<number, string> = new Map();
  readonly outputBoundary: Map<number, string> = new Map();

  constructor(
    readonly graphName: string,
    readonly graph: GraphSpec,
  ) {}

  get inputs(): StandInPort[] {
    return this.graph.inputs.map((spec, index) => new StandInPort(spec, this.inputBoundary.get(index) ?? spec.element));
  }

  get outputs(): StandInPort[] {
    return this.graph.outputs.map((spec, index) => new StandInPort(spec, this.outputBoundary.get(index) ?? spec.element));
  }

  getOutputElementType(index: number): string {
    const spec = this.graph.outputs[index];
    if (spec === undefined) throw new Error(`output ${index} out of range`);
    return this.outputBoundary.get(index) ?? spec.element;
  }
}

class StandInPrePostProcessor {
  readonly #pendingInputs = new Map<number, string>();
  readonly #pendingOutputs = new Map<number, string>();

  constructor(private readonly model: StandInModel) {}

  input(index: number) {
    return { tensor: () => ({ setElementType: (element: string) => void this.#pendingInputs.set(index, element) }) };
  }

  output(index: number) {
    return { tensor: () => ({ setElementType: (element: string) => void this.#pendingOutputs.set(index, element) }) };
  }

  build(): this {
    for (const [index, element] of this.#pendingInputs) this.model.inputBoundary.set(index, element);
    for (const [index, element] of this.#pendingOutputs) this.model.outputBoundary.set(index, element);
    return this;
  }
}

/** What the stand-in saw: for tests to check what the backend asked of it. */
export interface StandInLog {
  readonly compileCalls: Array<{ graph: string; device: string; config: Record<string, unknown> }>;
  inferRequestsCreated: number;
  inFlight: number;
  maxInFlight: number;
  readonly requestsUsed: Set<object>;
}

const fromBoundary = (values: Values, boundary: string, model: string): Values =>
  boundary === 'u8' && model === 'boolean' ? (numbers(values).map((value) => (value ? 1 : 0)) as Values) : values;

const toBoundary = (values: Values, model: string, boundary: string): Values => {
  if (model === 'boolean' && boundary === 'u8') return numbers(values).map((value) => (value ? 1 : 0));
  if ((model === 'f16' || model === 'bf16') && boundary === 'f32') return numbers(values).map((value) => Math.fround(value));
  return values;
};

class StandInCompiledModel {
  readonly inputs: StandInPort[];
  readonly outputs: StandInPort[];

  constructor(
    private readonly model: StandInModel,
    private readonly log: StandInLog,
    private readonly runDelayMs: number,
    private readonly inputTensorsUnavailable: boolean,
  ) {
    this.inputs = model.inputs;
    this.outputs = model.outputs;
  }

  getProperty(name: string): string | number {
    if (name === 'OPTIMAL_NUMBER_OF_INFER_REQUESTS') return 2;
    throw new Error(`Unsupported property ${name} by CPU plugin.`);
  }

  createInferRequest() {
    this.log.inferRequestsCreated += 1;
    const { inputs, outputs, model, log, runDelayMs, inputTensorsUnavailable } = this;
    let busy = false;
    const request = {
      getInputTensor: (index: number) => {
        if (inputTensorsUnavailable) throw new Error('Cannot get tensor for a dynamic port before inference');
        const port = inputs[index];
        if (port === undefined) throw new Error(`Input index ${index} out of range`);
        return StandInTensor.internal(port.boundaryElement, port.getPartialShape().getDimensions().map(() => 0), []);
      },
      // Like openvino-node, inputs are taken by position: an array in order, or an object in its property order.
      inferAsync: async (feeds: StandInTensor[] | Record<string, StandInTensor>) => {
        if (busy) throw new Error('Infer Request is busy');
        busy = true;
        log.requestsUsed.add(request);
        log.inFlight += 1;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        try {
          await delay(runDelayMs);
          const values: Record<string, { values: Values; shape: number[] }> = {};
          const positional = Array.isArray(feeds) ? feeds : Object.values(feeds);
          for (const [index, port] of inputs.entries()) {
            const tensor = positional[index];
            if (!(tensor instanceof StandInTensor)) throw new Error(`Input tensor ${port.getAnyName()} is missing or not a Tensor`);
            if (tensor.getElementType() !== port.boundaryElement) {
              throw new Error(`The tensor element type is not corresponding with output element type (${tensor.getElementType()} != ${port.boundaryElement})`);
            }
            const rank = port.getPartialShape().getDimensions().length;
            if (tensor.getShape().length !== rank) throw new Error(`The tensor rank ${tensor.getShape().length} does not match the port rank ${rank}`);
            values[port.getAnyName()] = { values: fromBoundary(StandInTensor.values(tensor), port.boundaryElement, port.modelElement), shape: tensor.getShape() };
          }
          const computed = model.graph.compute(values);
          return Object.fromEntries(
            outputs.map((port) => {
              const result = computed[port.getAnyName()]!;
              return [port.getAnyName(), StandInTensor.internal(port.boundaryElement, result.shape, toBoundary(result.values, port.modelElement, port.boundaryElement))];
            }),
          );
        } finally {
          log.inFlight -= 1;
          busy = false;
        }
      },
    };
    return request;
  }
}

export interface StandInOptions {
  /** What `getAvailableDevices()` lists, with FULL_DEVICE_NAME and (GPUs) DEVICE_TYPE. */
  readonly devices?: Record<string, { name: string; deviceType?: string }>;
  /** Milliseconds each inference takes, so concurrent runs overlap. */
  readonly runDelayMs?: number;
  /** Make `getInputTensor` throw, as a plugin might for dynamic inputs before the first inference. */
  readonly inputTensorsUnavailable?: boolean;
}

/**
 * Builds the stand-in module namespace, shaped like `import('openvino-node')`, and the log of
 * what the backend asked of it.
 */
export function createOpenVinoStandIn({ devices = { CPU: { name: 'Stand-in CPU (not OpenVINO)' } }, runDelayMs = 5, inputTensorsUnavailable = false }: StandInOptions = {}) {
  const log: StandInLog = { compileCalls: [], inferRequestsCreated: 0, inFlight: 0, maxInFlight: 0, requestsUsed: new Set() };

  class Core {
    getAvailableDevices(): string[] {
      return Object.keys(devices);
    }

    getProperty(device: string, name: string): string {
      const found = devices[device];
      if (found === undefined) throw new Error(`Device with "${device}" name is not registered in the OpenVINO Runtime`);
      if (name === 'FULL_DEVICE_NAME') return found.name;
      if (name === 'DEVICE_TYPE' && found.deviceType !== undefined) return found.deviceType;
      throw new Error(`Unsupported property ${name} by ${device} plugin.`);
    }

    getVersions(device: string) {
      return { [device]: { buildNumber: 'stand-in', description: 'stand-in of openvino-node (not OpenVINO)' } };
    }

    async readModel(path: string): Promise<StandInModel> {
      const text = await readFile(path, 'utf8');
      let graphName: unknown;
      try {
        graphName = (JSON.parse(text) as { standInGraph?: unknown }).standInGraph;
      } catch {
        graphName = undefined;
      }
      const graph = typeof graphName === 'string' ? standInGraphs[graphName] : undefined;
      if (graph === undefined) throw new Error(`Exception from src/inference/src/cpp/core.cpp: [ NETWORK_NOT_READ ] Unable to read the model: ${path}`);
      return new StandInModel(graphName as string, graph);
    }

    async compileModel(model: StandInModel, device: string, config: Record<string, unknown> = {}): Promise<StandInCompiledModel> {
      log.compileCalls.push({ graph: model.graphName, device, config });
      // openvino-node 2024.x–2025.x converts compileModel config values from strings only.
      for (const [name, value] of Object.entries(config)) if (typeof value !== 'string') throw new Error(`Cannot convert Napi::Value to ov::Any (${name})`);
      if (!(device in devices)) throw new Error(`Device with "${device}" name is not registered in the OpenVINO Runtime`);
      if (model.graphName === 'fails-to-compile') throw new Error('Exception from src/plugins/intel_cpu/src/node.cpp: Unsupported operation of type: FancyOp');
      return new StandInCompiledModel(model, log, runDelayMs, inputTensorsUnavailable);
    }
  }

  const element = Object.fromEntries([...tensorElements, 'string'].map((name) => [name, name]));
  const addon = {
    Core,
    Tensor: StandInTensor,
    element,
    preprocess: { PrePostProcessor: StandInPrePostProcessor, resizeAlgorithm: {} },
    getOpenvinoVersion: () => ({ buildNumber: 'stand-in', description: 'stand-in of openvino-node (not OpenVINO)' }),
  };
  // openvino-node is CommonJS: an ESM import sees `exports.addon` as a named export and under `default`.
  const namespace = { addon, default: { addon } };
  return { namespace, log };
}
