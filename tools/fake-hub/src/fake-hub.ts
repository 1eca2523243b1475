import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

/** One repository the fake hub serves: the files of a folder on disk, at one commit. */
export interface FakeRepo {
  /** Folder whose files are the repository's files (e.g. a forged model). */
  readonly directory: string;
  /** Leave files out of the repository (relative paths). */
  readonly exclude?: readonly string[];
}

/** Test knobs. Each applies to the first matching request only, so a retry can succeed. */
export interface FakeHubFaults {
  /** Closes the connection after this fraction of the file's bytes (0–1) the first time it is served. */
  readonly cut?: { readonly file: string; readonly atFraction: number };
  /** Serves the file with one byte flipped (every time), while the tree keeps the true hash. */
  readonly corrupt?: { readonly file: string };
}

export interface FakeHubOptions {
  readonly repos: Readonly<Record<string, FakeRepo>>;
  /** When set, every request must carry `Authorization: Bearer <token>` (as a gated repo does); else 401. */
  readonly token?: string;
  readonly faults?: FakeHubFaults;
  /** Bytes per write when serving file bodies (default 64 KiB), paced by `delayMs` between writes. */
  readonly chunkBytes?: number;
  readonly delayMs?: number;
}

/** What the fake hub saw: one entry per request. */
export interface FakeHubRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
}

export interface FakeHub {
  /** `http://127.0.0.1:<port>`: the value for `HF_ENDPOINT` / `remoteHost`. */
  readonly url: string;
  /** The commit each repository's `main` resolves to. */
  commitOf(repo: string): string;
  /** The SHA-256 the tree listing reports for an LFS file. */
  sha256Of(repo: string, file: string): string;
  readonly requests: FakeHubRequest[];
  close(): Promise<void>;
}

interface RepoFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly gitOid: string;
  readonly lfs: boolean;
}

interface LoadedRepo {
  readonly commit: string;
  readonly files: Map<string, RepoFile>;
}

/** The hub stores these through Git LFS (`.gitattributes` of transformers.js exports), and anything over 10 MB. */
const lfsPattern = /\.(onnx|onnx_data|bin|safetensors|msgpack|h5|ot)$/;

function sha(algorithm: 'sha1' | 'sha256', data: string | Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** A git blob id, as the tree's `oid` (for LFS files, of the pointer file). */
function gitBlobOid(content: Buffer): string {
  return sha('sha1', Buffer.concat([Buffer.from(`blob ${content.byteLength}\0`), content]));
}

async function loadRepo(id: string, repo: FakeRepo): Promise<LoadedRepo> {
  const entries = await readdir(repo.directory, { recursive: true, withFileTypes: true });
  const files = new Map<string, RepoFile>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(repo.directory, join(entry.parentPath, entry.name)).split('\\').join('/');
    if (repo.exclude?.includes(path)) continue;
    const bytes = await readFile(join(repo.directory, path));
    const sha256 = sha('sha256', bytes);
    const lfs = lfsPattern.test(path) || bytes.byteLength > 10_000_000;
    const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.byteLength}\n`);
    files.set(path, { path, bytes, sha256, gitOid: gitBlobOid(lfs ? pointer : bytes), lfs });
  }
  const listing = [...files.values()].map((file) => `${file.path}:${file.gitOid}`).sort().join('\n');
  return { commit: sha('sha1', `${id}\n${listing}`), files };
}

/** Directories implied by file paths, as the tree lists them. */
function directoriesOf(paths: Iterable<string>): string[] {
  const directories = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let index = 1; index < parts.length; index += 1) directories.add(parts.slice(0, index).join('/'));
  }
  return [...directories];
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function hubError(response: ServerResponse, status: number, message: string, code: string): void {
  json(response, status, { error: message }, { 'x-error-code': code, 'x-error-message': message });
}

/**
 * Starts a loopback server that answers as huggingface.co does for public model repositories:
 * - `GET /api/models/{id}/revision/{rev}` → `{ id, sha, siblings: [{ rfilename }] }`
 * - `GET /api/models/{id}/tree/{rev}[/{path}]?recursive=true` → `[{ type, oid, size, path, lfs? }]`,
 *   with `lfs: { oid: <sha256>, size, pointerSize }` for LFS files
 * - `GET|HEAD /{id}/resolve/{rev}/{file}` → for LFS files a 302 to a content URL with `X-Linked-Etag`
 *   (the SHA-256, quoted), `X-Linked-Size` and `X-Repo-Commit`; for small files 200 with `ETag`
 *   (the git oid) and `X-Repo-Commit`. File bodies honour `Range: bytes=N-` with 206.
 * - unknown repo → 401 `RepoNotFound` (the hub hides private repos that way); unknown file or
 *   revision → 404 `EntryNotFound` / `RevisionNotFound`.
 */
export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const repos = new Map<string, LoadedRepo>();
  for (const [id, repo] of Object.entries(options.repos)) repos.set(id, await loadRepo(id, repo));
  const requests: FakeHubRequest[] = [];
  const faultsUsed = new Set<string>();
  const chunkBytes = options.chunkBytes ?? 65_536;

  const repoAndRest = (path: string): { id: string; repo: LoadedRepo; rest: string } | undefined => {
    for (const [id, repo] of repos) if (path.startsWith(`${id}/`)) return { id, repo, rest: path.slice(id.length + 1) };
    return undefined;
  };
  const revisionMatches = (repo: LoadedRepo, revision: string): boolean => revision === 'main' || revision === repo.commit;

  async function sendBody(request: IncomingMessage, response: ServerResponse, file: RepoFile, headers: Record<string, string>): Promise<void> {
    let bytes = file.bytes;
    if (options.faults?.corrupt?.file === file.path) {
      bytes = Buffer.from(bytes);
      bytes[bytes.byteLength >> 1] = (bytes[bytes.byteLength >> 1] ?? 0) ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > bytes.byteLength) {
      response.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` }).end();
      return;
    }
    const body = bytes.subarray(start);
    response.writeHead(range ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': String(body.byteLength),
      ...(range ? { 'content-range': `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}` } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cut = options.faults?.cut;
    const cutKey = `cut:${file.path}`;
    const cutAt = cut?.file === file.path && !faultsUsed.has(cutKey) ? Math.floor(bytes.byteLength * cut.atFraction) : undefined;
    let offset = start;
    for (let index = 0; index < body.byteLength; index += chunkBytes) {
      let chunk = body.subarray(index, index + chunkBytes);
      if (cutAt !== undefined && offset + chunk.byteLength >= cutAt) {
        chunk = chunk.subarray(0, Math.max(0, cutAt - offset));
        faultsUsed.add(cutKey);
        await new Promise<void>((resolve) => response.write(chunk, () => resolve()));
        response.socket?.destroy();
        return;
      }
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
      offset += chunk.byteLength;
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    response.end();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search, range: request.headers.range, authorization: request.headers.authorization });
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      hubError(response, 401, 'Invalid credentials in Authorization header', 'GatedRepo');
      return;
    }

    if (path.startsWith('cdn/')) {
      // The content host LFS files redirect to: /cdn/<repo commit>/<file path>.
      const [, commit, ...rest] = path.split('/');
      const file = [...repos.values()].find((repo) => repo.commit === commit)?.files.get(rest.join('/'));
      if (file === undefined) return hubError(response, 404, 'Entry not found', 'EntryNotFound');
      return sendBody(request, response, file, { etag: `"${file.sha256}"` });
    }

    if (path.startsWith('api/models/')) {
      const match = repoAndRest(path.slice('api/models/'.length));
      if (match === undefined) return hubError(response, 401, 'Repository not found', 'RepoNotFound');
      const { id, repo, rest } = match;
      const [kind, revision = 'main', ...inside] = rest.split('/');
      if (!revisionMatches(repo, revision)) return hubError(response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
      if (kind === 'revision') {
        return json(response, 200, { _id: id, id, modelId: id, sha: repo.commit, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) });
      }
      if (kind === 'tree') {
        const prefix = inside.join('/');
        const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
        const under = (entryPath: string): boolean => (prefix === '' ? true : entryPath.startsWith(`${prefix}/`));
        const depthOk = (entryPath: string): boolean => recursive || !entryPath.slice(prefix === '' ? 0 : prefix.length + 1).includes('/');
        const directories = directoriesOf(repo.files.keys()).filter((entry) => under(entry) && depthOk(entry));
        const files = [...repo.files.values()].filter((file) => under(file.path) && depthOk(file.path));
        return json(response, 200, [
          ...directories.map((entry) => ({ type: 'directory', oid: sha('sha1', entry), size: 0, path: entry })),
          ...files.map((file) => ({
            type: 'file',
            oid: file.gitOid,
            size: file.bytes.byteLength,
            path: file.path,
            ...(file.lfs ? { lfs: { oid: file.sha256, size: file.bytes.byteLength, pointerSize: 134 } } : {}),
          })),
        ]);
      }
      return hubError(response, 404, 'Not found', 'NotFound');
    }

    const match = repoAndRest(path);
    if (match === undefined) return hubError(response, 401, 'Repository not found', 'RepoNotFound');
    const { repo, rest } = match;
    const resolveMatch = /^resolve\/([^/]+)\/(.+)$/.exec(rest);
    if (resolveMatch === null) return hubError(response, 404, 'Not found', 'NotFound');
    const [, revision = '', filePath = ''] = resolveMatch;
    if (!revisionMatches(repo, revision)) return hubError(response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    const file = repo.files.get(filePath);
    if (file === undefined) return hubError(response, 404, 'Entry not found', 'EntryNotFound');
    if (file.lfs) {
      response.writeHead(302, {
        location: `/cdn/${repo.commit}/${file.path}`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.bytes.byteLength),
        'x-repo-commit': repo.commit,
        etag: `"${file.sha256}"`,
      });
      response.end();
      return;
    }
    return sendBody(request, response, file, { etag: `"${file.gitOid}"`, 'x-repo-commit': repo.commit });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) hubError(response, 500, String(error), 'InternalError');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const loaded = (id: string): LoadedRepo => {
    const repo = repos.get(id);
    if (repo === undefined) throw new Error(`the fake hub serves no repo ${id}`);
    return repo;
  };
  return {
    url,
    requests,
    commitOf: (id) => loaded(id).commit,
    sha256Of: (id, file) => {
      const entry = loaded(id).files.get(file);
      if (entry === undefined) throw new Error(`${id} has no file ${file}`);
      return entry.sha256;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
