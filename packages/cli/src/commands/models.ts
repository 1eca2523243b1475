import { readFile } from 'node:fs/promises';
import { createAccel, InvalidInputError, isDtype, type Dtype, type ModelManifest, type ModelStoreEvent, type ModelSourceOptions } from '@accel/core';
import { globalFlags, parseCommandLine, type FlagTable } from '../command-line.js';
import { renderTable } from '../render-table.js';

/** Flags of `accel models …`. */
export const modelsFlags = {
  ...globalFlags,
  'cache-dir': { type: 'string' },
  dtype: { type: 'string', multiple: true },
  revision: { type: 'string' },
  from: { type: 'string' },
  manifest: { type: 'string' },
  out: { type: 'string' },
  offline: { type: 'boolean', default: false },
} as const satisfies FlagTable;

export const modelsHelp = `usage:
  accel models pull <id> [--dtype fp32] [--revision main] [--from hub|ipfs] [--manifest FILE]
  accel models ls
  accel models rm <id>
  accel models verify [<id>]
  accel models export-car <id> [--out <id-with-dashes>.car]

The model store: hub models under --cache-dir, each with accel-manifest.json (commit, and per file
its size, SHA-256 and the IPFS CIDv1). A pull takes the JSON configs and the ONNX files of the
dtypes asked for (and their external data), resumes interrupted files, and checks every file's
SHA-256 against the hub's before keeping it. verify re-hashes every file (exit 1 on any mismatch).

options:
  --dtype      fp32 (default), fp16, q8, int8, uint8, q4, q4f16, bnb4; repeatable or comma-separated
  --revision   branch, tag or commit to pull (default main); the commit is recorded
  --from       hub (default), or ipfs: each file by its manifest CID from $ACCEL_IPFS_GATEWAY,
               verified block by block, falling back to the hub for what the gateway lacks
  --manifest   an accel-manifest.json giving the CIDs for --from ipfs (default: the stored one)
  --out        export-car: the CAR file to write
  --cache-dir  model cache folder (default: $ACCEL_CACHE_DIR or ~/.cache/accel/models)
  --offline    never download (also ACCEL_OFFLINE=1 or HF_HUB_OFFLINE=1)
  --json       print results as JSON

environment: HF_ENDPOINT or ACCEL_REMOTE_HOST (hub mirror), HF_TOKEN (private or gated repos),
ACCEL_IPFS_GATEWAY (trustless gateway URL).
`;

export interface ModelsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Receives the store's download events (the caller renders progress). */
  readonly onProgress?: (event: ModelStoreEvent) => void;
  /** Called when a pull ends, to close a progress line. */
  readonly onPullEnd?: () => void;
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function dtypesOf(values: unknown): Dtype[] | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const list = values.flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter(Boolean);
  for (const dtype of list) if (!isDtype(dtype)) throw new InvalidInputError({ reason: `unknown dtype ${dtype} (fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4)` });
  return list as Dtype[];
}

async function readManifestFile(path: string): Promise<ModelManifest> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
  } catch (error) {
    throw new InvalidInputError({ reason: `--manifest ${path}: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
}

function needId(id: string | undefined, usage: string): string {
  if (id === undefined) throw new InvalidInputError({ reason: `${usage} needs a model id, e.g. ${usage} Xenova/all-MiniLM-L6-v2` });
  return id;
}

/** `accel models <pull|ls|rm|verify|export-car>`. Returns the exit code. */
export async function modelsCommand(argv: readonly string[], io: ModelsIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, modelsFlags, 'accel models');
  const [, action, id, ...extra] = positionals;
  if (values.help === true || action === undefined) {
    io.stdout(modelsHelp);
    return values.help === true ? 0 : 1;
  }
  if (extra.length > 0) throw new InvalidInputError({ reason: `accel models ${action} takes one model id, got also ${extra.join(' ')}` });
  const json = values.json === true;
  const options: ModelSourceOptions = {
    ...(typeof values['cache-dir'] === 'string' ? { cacheDirectory: values['cache-dir'] } : {}),
    ...(values.offline === true ? { offline: true } : {}),
    ...(io.onProgress ? { onProgress: io.onProgress } : {}),
  };
  const { models } = createAccel({ models: options });

  if (action === 'pull') {
    const from = values.from ?? 'hub';
    if (from !== 'hub' && from !== 'ipfs') throw new InvalidInputError({ reason: `--from takes hub or ipfs, got ${String(from)}` });
    const dtype = dtypesOf(values.dtype);
    const manifest = typeof values.manifest === 'string' ? await readManifestFile(values.manifest) : undefined;
    let result;
    try {
      result = await models.pull(needId(id, 'accel models pull'), {
        ...(dtype ? { dtype } : {}),
        ...(typeof values.revision === 'string' ? { revision: values.revision } : {}),
        from,
        ...(manifest ? { manifest } : {}),
      });
    } finally {
      io.onPullEnd?.();
    }
    if (json) {
      io.stdout(JSON.stringify(result, null, 2));
    } else {
      const bytes = result.files.reduce((sum, file) => sum + file.size, 0);
      const sources = [...new Set(result.files.filter((file) => file.source !== 'cache').map((file) => file.source))];
      io.stdout(
        `${result.id} at ${result.revision.slice(0, 12)}: ${result.files.length} files, ${megabytes(bytes)} ` +
          `(${megabytes(result.downloadedBytes)} downloaded${sources.length > 0 ? ` from ${sources.join(' and ')}` : ''}, all verified)\n${result.directory}`,
      );
    }
    return 0;
  }

  if (action === 'ls') {
    if (id !== undefined) throw new InvalidInputError({ reason: 'accel models ls takes no model id' });
    const list = await models.list();
    if (json) io.stdout(JSON.stringify(list, null, 2));
    else if (list.length === 0) io.stdout('no models stored (accel models pull <id>)');
    else {
      io.stdout(
        renderTable(
          ['model', 'revision', 'dtypes', 'files', 'size', 'verified'],
          list.map((model) => [model.id, model.revision?.slice(0, 12) ?? '-', model.dtypes.join(',') || '-', String(model.files), megabytes(model.bytes), model.verifiedAt ?? 'never (no manifest)']),
        ),
      );
    }
    return 0;
  }

  if (action === 'rm') {
    const removed = await models.remove(needId(id, 'accel models rm'));
    if (json) io.stdout(JSON.stringify({ id, removed }));
    else io.stdout(removed ? `removed ${id}` : `${id} is not stored`);
    return removed ? 0 : 1;
  }

  if (action === 'verify') {
    const reports = await models.verify(id);
    if (json) io.stdout(JSON.stringify(reports, null, 2));
    else if (reports.length === 0) io.stdout('no models stored');
    else {
      for (const report of reports) {
        if (report.ok) io.stdout(`ok      ${report.id} (${report.files} files)`);
        else for (const problem of report.problems) io.stdout(`FAILED  ${report.id}: ${problem.file}: ${problem.problem}`);
      }
      const failed = reports.filter((report) => !report.ok && report.files > 0).map((report) => report.id);
      if (failed.length > 0) io.stdout(`fix: ${failed.map((model) => `accel models pull ${model}`).join('; ')} (a pull re-hashes every file and fetches the damaged ones again)`);
    }
    return reports.every((report) => report.ok) ? 0 : 1;
  }

  if (action === 'export-car') {
    const model = needId(id, 'accel models export-car');
    const output = typeof values.out === 'string' ? values.out : `${model.replace('/', '--')}.car`;
    const written = await models.exportCar(model, output);
    if (json) io.stdout(JSON.stringify({ id: model, output, ...written }, null, 2));
    else io.stdout(`wrote ${output}: root ${written.root} (${Object.keys(written.files).length} files; ipfs dag import ${output})`);
    return 0;
  }

  throw new InvalidInputError({ reason: `unknown models command ${action} (pull, ls, rm, verify, export-car)` });
}
