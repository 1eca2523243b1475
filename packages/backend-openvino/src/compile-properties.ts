import type { OpenVinoBackendOptions } from './openvino-backend-options.js';

/**
 * The `compileModel` properties these options select for one device. Values are strings: some
 * openvino-node versions accept only string property values in `compileModel`'s config
 * (`js_to_cpp<std::map<std::string, ov::Any>>` with `napi_string`), and OpenVINO parses numbers from them.
 */
export function compileProperties(options: OpenVinoBackendOptions, device: string, threads: number | undefined): Record<string, string> {
  return {
    PERFORMANCE_HINT: options.performanceHint ?? 'LATENCY',
    ...(options.inferencePrecision === undefined ? {} : { INFERENCE_PRECISION_HINT: options.inferencePrecision }),
    ...(options.cacheDirectory === undefined ? {} : { CACHE_DIR: options.cacheDirectory }),
    ...(threads !== undefined && isCpuDevice(device) ? { INFERENCE_NUM_THREADS: String(threads) } : {}),
  };
}

function isCpuDevice(device: string): boolean {
  return device === 'CPU' || device.startsWith('CPU.');
}
