import { AbortedError } from '../errors/aborted-error.js';
import { AccelError } from '../errors/accel-error.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { DeviceError } from '../errors/device-error.js';
import { EndpointNotFoundError } from '../errors/endpoint-not-found-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { InvalidModelError } from '../errors/invalid-model-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { OutOfMemoryError } from '../errors/out-of-memory-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { UnsupportedError } from '../errors/unsupported-error.js';

/** An error as plain data, to cross a worker boundary. */
export interface SerializedError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

const constructors: Record<string, new (fields: never) => AccelError> = {
  ACCEL_ABORTED: AbortedError,
  ACCEL_BACKEND_UNAVAILABLE: BackendUnavailableError,
  ACCEL_DEVICE: DeviceError,
  ACCEL_ENDPOINT_NOT_FOUND: EndpointNotFoundError,
  ACCEL_INFERENCE: InferenceError,
  ACCEL_INVALID_INPUT: InvalidInputError,
  ACCEL_INVALID_MODEL: InvalidModelError,
  ACCEL_MODEL_NOT_FOUND: ModelNotFoundError,
  ACCEL_OUT_OF_MEMORY: OutOfMemoryError,
  ACCEL_QUEUE_FULL: QueueFullError,
  ACCEL_TIMEOUT: TimeoutError,
  ACCEL_UNSUPPORTED: UnsupportedError,
};

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', code: undefined, message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'cause' && (value === null || ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value))) fields[key] = value;
  }
  return { name: error.name, code: AccelError.isInstance(error) ? error.code : undefined, message: error.message, fields };
}

/** Rebuilds the typed accel error (same class, code and fields), or a plain Error. */
export function deserializeError(serialized: SerializedError): Error {
  const constructor = serialized.code === undefined ? undefined : constructors[serialized.code];
  if (constructor !== undefined) {
    return new constructor({ ...serialized.fields, message: serialized.message } as never);
  }
  const error = new Error(serialized.message);
  error.name = serialized.name;
  return error;
}
