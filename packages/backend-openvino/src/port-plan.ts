import type { SessionValueMetadata } from '@accel/core';
import { boundaryElementOf, onnxTypeOfElement } from './element-types.js';
import type { OpenVinoDimension } from './openvino-api.js';

/**
 * How one model input or output crosses between JavaScript and OpenVINO.
 *
 * openvino-node has no JS tensor for `boolean`, `f16` or `bf16`, so such ports get an element
 * type conversion inside the compiled model (OpenVINO's PrePostProcessor): booleans cross as
 * `u8` and are presented as onnxruntime `bool` tensors (Uint8Array), f16/bf16 cross as `f32` and
 * are presented as `float32`.
 */
export interface PortPlan {
  readonly name: string;
  /** The model's own element type, when OpenVINO told us. */
  readonly modelElement: string | undefined;
  /** Element type of the JS tensor at the boundary; undefined when unknown or not representable. */
  readonly boundaryElement: string | undefined;
  /** Type presented to accel, as onnxruntime names it. */
  readonly onnxType: string | undefined;
  /** Dimensions, dynamic ones as strings; undefined when OpenVINO did not tell. */
  readonly shape: ReadonlyArray<number | string> | undefined;
}

export function planPort(name: string, modelElement: string | undefined, dimensions: readonly OpenVinoDimension[] | undefined): PortPlan {
  const boundaryElement = modelElement === undefined ? undefined : (boundaryElementOf[modelElement] ?? (modelElement in onnxTypeOfElement ? modelElement : undefined));
  const onnxType = modelElement === 'boolean' ? 'bool' : boundaryElement === undefined ? undefined : onnxTypeOfElement[boundaryElement];
  return { name, modelElement, boundaryElement, onnxType, shape: dimensions?.map(describeDimension) };
}

/** True when the port needs an element-type conversion compiled into the model. */
export function needsConversion(modelElement: string | undefined): modelElement is string {
  return modelElement !== undefined && modelElement in boundaryElementOf;
}

export function toMetadata(plan: PortPlan): SessionValueMetadata {
  return {
    name: plan.name,
    isTensor: true,
    ...(plan.onnxType === undefined ? {} : { type: plan.onnxType }),
    ...(plan.shape === undefined ? {} : { shape: plan.shape }),
  };
}

/** A fixed length stays a number; a dynamic one becomes a string in OpenVINO's notation: `?`, `1..8`, `2..`. */
function describeDimension(dimension: OpenVinoDimension): number | string {
  if (typeof dimension === 'number') return dimension >= 0 ? dimension : '?';
  const [minimum, maximum] = dimension;
  const unbounded = maximum < 0 || maximum >= Number.MAX_SAFE_INTEGER;
  if (unbounded) return minimum > 0 ? `${minimum}..` : '?';
  return `${minimum}..${maximum}`;
}
