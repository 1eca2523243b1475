import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AbortedError } from '../errors/aborted-error.js';
import { ModelIntegrityError } from '../errors/model-integrity-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { describeError, fileSize } from './file-facts.js';
import { digestFor, hashInto, type ExpectedDigest } from './hash-file.js';
import type { HubClient, HubFile } from './hub-client.js';

export interface FetchFileRequest {
  readonly client: HubClient;
  readonly id: string;
  readonly commit: string;
  readonly file: HubFile;
  /** Final path; bytes gather in `<target>.partial` and move there only once verified. */
  readonly target: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Bytes of this file on disk so far, after each chunk; `resumed` marks the report of what a
   * `.partial` from an earlier try already held.
   */
  readonly onBytes?: ((bytes: number, resumed?: boolean) => void) | undefined;
  /** Tries per file, each resuming where the last stopped. Default 4. */
  readonly attempts?: number;
}

function expectedDigest(file: HubFile): ExpectedDigest | undefined {
  if (file.sha256 !== undefined) return { kind: 'sha256', hex: file.sha256 };
  if (file.gitOid !== undefined) return { kind: 'git-oid', hex: file.gitOid, size: file.size };
  return undefined;
}

/**
 * Downloads one hub file, resuming a `.partial` left by an earlier try (HTTP `Range`), and moves it
 * into place only when its size and hash match the tree listing (SHA-256 for LFS files, the git
 * blob id otherwise). A mismatch deletes the partial file and throws `ModelIntegrityError`.
 */
export async function fetchHubFile(request: FetchFileRequest): Promise<void> {
  const { client, id, commit, file, target, signal } = request;
  const partial = `${target}.partial`;
  const url = client.fileUrl(id, commit, file.path);
  const attempts = request.attempts ?? 4;
  await mkdir(dirname(target), { recursive: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (signal?.aborted) throw new AbortedError({ reason: `download of ${id}/${file.path} aborted` });
    let have = ((await fileSize(partial)) ?? 0);
    if (have > file.size) {
      await rm(partial, { force: true });
      have = 0;
    }
    if (have > 0) request.onBytes?.(have, true);
    if (have === file.size && file.size > 0) break;
    let response: Response;
    try {
      response = await client.request(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, signal });
    } catch (error) {
      if (signal?.aborted) throw new AbortedError({ reason: `download of ${id}/${file.path} aborted`, cause: error });
      lastError = error;
      await backoff(attempt);
      continue;
    }
    if (response.status === 416 && have > 0) {
      // The server has no bytes past ours: the partial is complete (or longer than the file).
      await response.body?.cancel();
      break;
    }
    if (response.status === 404) {
      throw new ModelNotFoundError({ model: id, searched: [url], hint: `The hub lists ${file.path} at ${commit} but answered 404 for it.` });
    }
    if (!response.ok || response.body === null) {
      lastError = new Error(`HTTP ${response.status} ${response.statusText}`);
      await response.body?.cancel();
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) break;
      await backoff(attempt);
      continue;
    }
    if (response.status === 200 && have > 0) {
      // The server ignored Range: start over.
      await truncate(partial, 0);
      have = 0;
    }
    let written = have;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        request.onBytes?.(written);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(partial, { flags: 'a' }), signal ? { signal } : {});
      lastError = undefined;
      break;
    } catch (error) {
      if (signal?.aborted) throw new AbortedError({ reason: `download of ${id}/${file.path} aborted (${written} of ${file.size} bytes kept for a resume)`, cause: error });
      lastError = error;
      await backoff(attempt);
    }
  }
  const size = ((await fileSize(partial)) ?? 0);
  if (lastError !== undefined && size < file.size) {
    throw new ModelNotFoundError({
      model: id,
      searched: [url],
      hint: `Downloading ${file.path} failed after ${attempts} tries (${describeError(lastError)}); ${size} of ${file.size} bytes are kept in ${partial} and the next pull resumes from there.`,
      cause: lastError,
    });
  }
  await verifyPartial(id, file, partial, size);
  await rename(partial, target);
}

async function verifyPartial(id: string, file: HubFile, partial: string, size: number): Promise<void> {
  if (size !== file.size) {
    await rm(partial, { force: true });
    throw new ModelIntegrityError({ model: id, file: file.path, expected: `size ${file.size}`, actual: `size ${size}` });
  }
  const expected = expectedDigest(file);
  if (expected === undefined) return;
  const hash = digestFor(expected);
  await hashInto(hash, partial);
  const actual = hash.digest('hex');
  if (actual !== expected.hex) {
    await rm(partial, { force: true });
    const label = expected.kind === 'sha256' ? 'sha256' : 'git blob id';
    throw new ModelIntegrityError({
      model: id,
      file: file.path,
      expected: `${label} ${expected.hex}`,
      actual: `${label} ${actual}`,
      message: `model ${id}: ${file.path} failed verification: the hub lists ${label} ${expected.hex}, the downloaded bytes hash to ${actual}; the file was deleted`,
    });
  }
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** (attempt - 1))));
}
