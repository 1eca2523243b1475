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
}
