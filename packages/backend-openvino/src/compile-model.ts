import { classifyRuntimeError, InvalidModelError, UnsupportedError } from '@accel/core';
import { boundaryElementOf } from './element-types.js';
import type { OpenVinoCompiledModel, OpenVinoInferRequest, OpenVinoModel, OpenVinoPort } from './openvino-api.js';
import type { OpenVinoRuntime } from './openvino-runtime.js';
import { needsConversion, planPort, type PortPlan } from './port-plan.js';

/** A compiled model with its ports planned, and the infer request used to learn the input types. */
export interface CompiledOpenVinoModel {
  readonly compiled: OpenVinoCompiledModel;
  readonly inputs: readonly PortPlan[];
  readonly outputs: readonly PortPlan[];
  readonly firstRequest: OpenVinoInferRequest | undefined;
}

interface CompileRequest {
  readonly runtime: OpenVinoRuntime;
  readonly file: string;
  /** OpenVINO's device name, e.g. `GPU.1`. */
  readonly device: string;
  /** accel's device label, e.g. `openvino:GPU.1`, for errors. */
  readonly label: string;
  readonly properties: Record<string, string>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Reads a model file, compiles it for one device and plans its ports.
 *
 * openvino-node tells output element types before compiling (`Model.getOutputElementType`) but
 * input element types only through a compiled model's infer request tensors. Ports whose type
 * has no JS tensor (boolean, f16, bf16) get a conversion compiled in: outputs before the first
 * compilation, inputs by a second compilation, which only such models pay for.
 */
export async function compileModel({ runtime, file, device, label, properties }: CompileRequest): Promise<CompiledOpenVinoModel> {
  const { addon, core } = runtime;
  let model: OpenVinoModel;
  try {
    model = await core.readModel(file);
  } catch (error) {
    throw new InvalidModelError({ model: file, file, reason: `OpenVINO could not read it: ${messageOf(error)}`, cause: error });
  }
  const compile = async (): Promise<OpenVinoCompiledModel> => {
    try {
      return await core.compileModel(model, device, properties);
    } catch (error) {
      throw classifyRuntimeError(error, label) ?? new InvalidModelError({ model: file, file, reason: `OpenVINO could not compile it for ${device}: ${messageOf(error)}`, cause: error });
    }
  };
  const convert = (kind: 'input' | 'output', elements: ReadonlyArray<string | undefined>): void => {
    const indices = elements.flatMap((element, index) => (needsConversion(element) ? [index] : []));
    if (indices.length === 0) return;
    const PrePostProcessor = addon.preprocess?.PrePostProcessor;
    if (PrePostProcessor === undefined) {
      throw new UnsupportedError({ feature: `${kind} element types ${indices.map((index) => elements[index]).join(', ')} with this openvino-node (it lacks preprocess.PrePostProcessor)` });
    }
    try {
      const processor = new PrePostProcessor(model);
      for (const index of indices) processor[kind](index).tensor().setElementType(boundaryElementOf[elements[index] as string] as string);
      processor.build();
    } catch (error) {
      throw new InvalidModelError({ model: file, file, reason: `OpenVINO could not convert ${kind} element types for JavaScript: ${messageOf(error)}`, cause: error });
    }
  };

  const outputElements = model.outputs.map((_port, index) => attempt(() => model.getOutputElementType(index)));
  convert('output', outputElements);
  let compiled = await compile();
  const probeRequest = attempt(() => compiled.createInferRequest());
  let firstRequest: OpenVinoInferRequest | undefined = probeRequest;
  const inputElements = compiled.inputs.map((_port, index) => attempt(() => probeRequest?.getInputTensor(index).getElementType()));
  if (inputElements.some(needsConversion)) {
    convert('input', inputElements);
    compiled = await compile();
    firstRequest = undefined;
  }
  const plan = (ports: readonly OpenVinoPort[], elements: ReadonlyArray<string | undefined>): PortPlan[] =>
    ports.map((port, index) => planPort(port.getAnyName(), elements[index], attempt(() => port.getPartialShape().getDimensions())));
  return { compiled, inputs: plan(compiled.inputs, inputElements), outputs: plan(compiled.outputs, outputElements), firstRequest };
}
