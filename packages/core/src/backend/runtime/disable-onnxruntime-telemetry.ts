/**
 * Turns off onnxruntime's telemetry for this process, unless `ORT_DISABLE_TELEMETRY` is already
 * set (the user's choice wins). Backends built on onnxruntime-node call it before loading the
 * runtime.
 *
 * Besides keeping a library from reporting on its host, this prevents a crash: on Linux the
 * telemetry that onnxruntime-node 1.30 starts with the first session reads `/proc/self/cmdline`
 * and matches it with libstdc++'s recursive `std::regex`, whose stack use grows with the length of
 * the process's arguments. Long arguments (a document passed on the command line) overflow the
 * smaller stack of a worker thread first, then the main thread's, and the process dies with
 * SIGSEGV. With telemetry off the command line is never read.
 *
 * onnxruntime reads the variable with `getenv`, so it must be in the process environment: on the
 * main thread `process.env` is; a worker thread's `process.env` is a private copy unless the
 * worker was started with `env: SHARE_ENV`, as core's worker pool does.
 */
export function disableOnnxRuntimeTelemetry(): void {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (environment !== undefined && environment.ORT_DISABLE_TELEMETRY === undefined) environment.ORT_DISABLE_TELEMETRY = '1';
}
