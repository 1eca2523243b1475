import { AccelError, classifyRuntimeError, InvalidInputError, type InferenceSessionV1, type TensorLike } from '@accel/core';
import type { CompiledOpenVinoModel } from './compile-model.js';
import { fromOpenVinoTensor } from './from-openvino-tensor.js';
import { InferRequestPool } from './infer-request-pool.js';
import type { OpenVinoAddon, OpenVinoInferRequest, OpenVinoTensor } from './openvino-api.js';
import { onnxTensorClass } from './onnx-tensor.js';
import { toMetadata } from './port-plan.js';
import { toOpenVinoTensor } from './to-openvino-tensor.js';

function retainedRequests(model: CompiledOpenVinoModel): number {
  try {
    const optimal = Number(model.compiled.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS'));
    return Number.isInteger(optimal) && optimal >= 1 ? optimal : 1;
  } catch {
    return 1;
  }
}

/**
 * Presents a compiled OpenVINO model as an onnxruntime-shaped session. Concurrent runs each use
 * their own infer request from a pool; outputs are onnxruntime `Tensor`s.
 */
export function createOpenVinoSession(addon: OpenVinoAddon, model: CompiledOpenVinoModel, device: string): InferenceSessionV1 {
  const TensorClass = onnxTensorClass();
  const inputsByName = new Map(model.inputs.map((port) => [port.name, port]));
  const outputsByName = new Map(model.outputs.map((port) => [port.name, port]));
  const inputNames = model.inputs.map((port) => port.name);
  const outputNames = model.outputs.map((port) => port.name);
  const pool = new InferRequestPool(() => model.compiled.createInferRequest(), retainedRequests(model), model.firstRequest);
  let released = false;

  /** Feeds in the model's input order: openvino-node's inferAsync sets inputs by position. */
  const toFeeds = (feeds: Record<string, TensorLike>): OpenVinoTensor[] => {
    const unknown = Object.keys(feeds).filter((name) => !inputsByName.has(name));
    if (unknown.length > 0) throw new InvalidInputError({ reason: `unknown input ${unknown.join(', ')} (the model's inputs are ${inputNames.join(', ')})` });
    const missing = inputNames.filter((name) => feeds[name] === undefined);
    if (missing.length > 0) throw new InvalidInputError({ reason: `missing input ${missing.join(', ')}` });
    return inputNames.map((name) => toOpenVinoTensor(addon, name, feeds[name] as TensorLike, inputsByName.get(name)));
  };

  return {
    inputNames,
    outputNames,
    inputMetadata: model.inputs.map(toMetadata),
    outputMetadata: model.outputs.map(toMetadata),
    async run(feeds) {
      if (released) throw new Error(`this OpenVINO session on ${device} was released`);
      const openVinoFeeds = toFeeds(feeds);
      let request: OpenVinoInferRequest | undefined;
      let reusable = false;
      try {
        request = pool.acquire();
        const results = await request.inferAsync(openVinoFeeds);
        const outputs: Record<string, TensorLike> = {};
        for (const name of [...outputNames, ...Object.keys(results).filter((name) => !outputsByName.has(name))]) {
          const result = results[name];
          if (result !== undefined) outputs[name] = fromOpenVinoTensor(TensorClass, name, result, outputsByName.get(name));
        }
        reusable = true;
        return outputs;
      } catch (error) {
        if (AccelError.isInstance(error)) throw error;
        throw classifyRuntimeError(error, device) ?? error;
      } finally {
        if (request !== undefined) pool.giveBack(request, reusable);
      }
    },
    async release() {
      released = true;
      pool.close();
    },
  };
}
