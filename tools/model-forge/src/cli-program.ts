import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { forgeModel, listPresets, presetIds } from './forge.js';
import type { ForgeSize } from './presets.js';

export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

const usage = `Usage: model-forge [--size tiny|full] [--out DIR] [ids...]
       model-forge --list

Writes random-weight models in Hugging Face / transformers.js layout into DIR/<id>
(default DIR: .cache/models/<size>). Without ids, writes every preset.`;

/** Runs the CLI; returns the exit code. */
export async function runCli(args: readonly string[], output: CliOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        size: { type: 'string', default: 'tiny' },
        out: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      output.log(usage);
      return 0;
    }
    if (values.list) {
      for (const preset of listPresets()) output.log(`${preset.id}  [${preset.family}]  ${preset.description}`);
      return 0;
    }
    const size = parseSize(values.size);
    const root = resolve(values.out ?? `.cache/models/${size}`);
    const ids = positionals.length > 0 ? positionals : [...presetIds];
    const started = performance.now();
    let total = 0;
    for (const id of ids) {
      let written = false;
      const forged = await forgeModel(id, {
        root,
        size,
        onProgress: ({ file, bytesWritten, totalBytes }) => {
          written = true;
          if (size === 'full' && bytesWritten === totalBytes) output.log(`  ${id}/${file}  ${formatBytes(totalBytes)}`);
        },
      });
      total += forged.bytes;
      output.log(`${id}  ${formatBytes(forged.bytes)}  ${written ? 'written' : 'up to date'}`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    output.log(`${ids.length} ${size} model(s), ${formatBytes(total)} in ${root} (${seconds} s)`);
    return 0;
  } catch (error) {
    output.error(`model-forge: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parseSize(size: string | undefined): ForgeSize {
  if (size === 'tiny' || size === 'full') return size;
  throw new Error(`--size must be tiny or full, not "${size}"`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
