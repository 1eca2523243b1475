import { DeviceError } from '../../errors/device-error.js';
import { OutOfMemoryError } from '../../errors/out-of-memory-error.js';

const outOfMemoryPatterns = [
  /bad_alloc/i,
  /failed to allocate/i,
  /out of memory/i,
  /cudaErrorMemoryAllocation/i,
  /CUBLAS_STATUS_ALLOC_FAILED/i,
  /CUDNN_STATUS_ALLOC_FAILED/i,
  /CL_OUT_OF_RESOURCES/i,
  /CL_MEM_OBJECT_ALLOCATION_FAILURE/i,
];

const deviceLostPatterns = [
  /device[- ]side assert/i,
  /cudaErrorDevicesUnavailable/i,
  /cudaErrorLaunchFailure/i,
  /cudaErrorIllegalAddress/i,
  /unspecified launch failure/i,
  /illegal memory access/i,
  /CUDA failure (46|214|700|702|719|999)\b/i,
  /busy or unavailable/i,
  /uncorrectable ECC error/i,
  /launch timed out/i,
  /device (was )?(lost|removed)/i,
  /GPU is lost/i,
  /CL_DEVICE_NOT_AVAILABLE/i,
];

/**
 * Maps a runtime's error message to accel's recoverable faults: `OutOfMemoryError` or
 * `DeviceError`. Returns undefined for anything else. Shared by every backend so the patterns
 * live in one place.
 */
export function classifyRuntimeError(error: unknown, device: string): OutOfMemoryError | DeviceError | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  if (outOfMemoryPatterns.some((pattern) => pattern.test(message))) return new OutOfMemoryError({ device, cause: error });
  if (deviceLostPatterns.some((pattern) => pattern.test(message))) {
    return new DeviceError({ device, cause: error, message: `device ${device} failed: ${message.split('\n')[0]}` });
  }
  return undefined;
}
