/**
 * Where a skill or backend factory can be imported from, so a worker thread can rebuild it:
 * `await import(module)` then `[exportName]`. Backends add the options to call the factory with
 * (plain data only).
 */
export interface ModuleExport {
  readonly module: string;
  readonly exportName: string;
}

export interface BackendSource extends ModuleExport {
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * True when the runtime takes its thread count once per JavaScript thread, for every session
   * it opens later (onnxruntime-web's `env.wasm.numThreads`): a worker that loaded it with one
   * count then hosts no endpoint of it that asks for another.
   */
  readonly threadsFixedPerThread?: boolean;
}
