import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import type { ModelSourceOptions } from './model-source-options.js';

interface DownloadRequest {
  readonly model: string;
  readonly directory: string;
  readonly files: readonly string[];
  readonly options: ModelSourceOptions;
}

/** Downloads files of a hub model into `directory`; each lands under its final name only when complete. */
export async function downloadModelFiles({ model, directory, files, options }: DownloadRequest): Promise<void> {
  const host = (options.remoteHost ?? process.env.ACCEL_REMOTE_HOST ?? 'https://huggingface.co').replace(/\/$/, '');
  const revision = encodeURIComponent(options.revision ?? 'main');
  for (const file of files) {
    const url = `${host}/${model}/resolve/${revision}/${file}`;
    const target = join(directory, file);
    const partial = `${target}.${process.pid}.partial`;
    let response: Response;
    try {
      response = await fetch(url, { headers: authorizationHeaders() });
    } catch (error) {
      throw new ModelNotFoundError({
        model,
        searched: [directory, url],
        hint: `Download failed (${describe(error)}). Check the network, or put the model folder at ${directory}.`,
        cause: error,
      });
    }
    if (!response.ok || response.body == null) {
      throw new ModelNotFoundError({
        model,
        searched: [directory, url],
        hint: `The hub answered ${response.status} ${response.statusText} for ${file}. Check the model id and dtype.`,
      });
    }
    const totalHeader = response.headers.get('content-length');
    const totalBytes = totalHeader == null ? undefined : Number(totalHeader);
    let bytesReceived = 0;
    await mkdir(dirname(target), { recursive: true });
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      options.onProgress?.({ type: 'download-progress', model, file, bytesReceived, totalBytes });
    });
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw new ModelNotFoundError({
        model,
        searched: [directory, url],
        hint: `Download of ${file} was interrupted (${describe(error)}); retry.`,
        cause: error,
      });
    }
  }
}

function authorizationHeaders(): Record<string, string> {
  const token = process.env.HF_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
