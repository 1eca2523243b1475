import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { describeError } from './file-facts.js';
import { checkRepoFilePath } from './safe-paths.js';

/** One file of a hub repository, as the tree listing gives it. */
export interface HubFile {
  /** Path inside the repository, `/`-separated. */
  readonly path: string;
  readonly size: number;
  /** SHA-256 (hex) of the content for LFS files (`lfs.oid`). */
  readonly sha256?: string;
  /** The git blob id (SHA-1 of `blob <size>\0<content>`) for files stored in git itself. */
  readonly gitOid?: string;
}

export interface HubClientOptions {
  /** `https://huggingface.co` or a mirror. */
  readonly endpoint: string;
  readonly token?: string | undefined;
  readonly fetch?: typeof fetch;
}

interface TreeEntry {
  readonly type?: string;
  readonly path?: string;
  readonly size?: number;
  readonly oid?: string;
  readonly lfs?: { readonly oid?: string; readonly size?: number };
}

/** The next page of a paginated hub listing, from its `Link: <url>; rel="next"` header. */
function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/**
 * The parts of the Hugging Face hub's HTTP API a model store needs: a revision resolved to its
 * commit (`/api/models/{id}/revision/{rev}`), the file tree at that commit with sizes and
 * SHA-256s (`/api/models/{id}/tree/{commit}?recursive=true`, paginated by `Link`), and file URLs
 * (`/{id}/resolve/{commit}/{path}`).
 */
export class HubClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A request to the hub with its credentials; redirects (LFS files go to a content host) are followed. */
  request(url: string, init: { headers?: Record<string, string>; signal?: AbortSignal | undefined } = {}): Promise<Response> {
    return this.fetchImpl(url, { headers: this.headers(init.headers), redirect: 'follow', ...(init.signal ? { signal: init.signal } : {}) });
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), 'user-agent': 'accel', ...extra };
  }

  fileUrl(id: string, revision: string, path: string): string {
    return `${this.endpoint}/${id}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  async get(id: string, url: string, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.request(url, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ModelNotFoundError({
        model: id,
        searched: [url],
        hint: `The hub at ${this.endpoint} could not be reached (${describeError(error)}). Check the network or HF_ENDPOINT, or work offline with a model folder.`,
        cause: error,
      });
    }
    if (response.status === 401 || response.status === 403) {
      throw new ModelNotFoundError({
        model: id,
        searched: [url],
        hint: `The hub answered ${response.status}: no public repository ${id}${this.token ? ' that this token can read' : ''}. Check the id; for a private or gated repository set HF_TOKEN.`,
      });
    }
    return response;
  }

  /** The commit a branch, tag or commit id names. */
  async resolveRevision(id: string, revision: string, signal?: AbortSignal): Promise<string> {
    const url = `${this.endpoint}/api/models/${id}/revision/${encodeURIComponent(revision)}`;
    const response = await this.get(id, url, signal);
    if (response.status === 404) {
      throw new ModelNotFoundError({ model: id, searched: [url], hint: `The hub has no revision ${revision} of ${id}${await errorText(response)}.` });
    }
    if (!response.ok) throw new ModelNotFoundError({ model: id, searched: [url], hint: `The hub answered ${response.status} ${response.statusText}${await errorText(response)}.` });
    const body = (await response.json()) as { sha?: unknown };
    if (typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha)) {
      throw new ModelNotFoundError({ model: id, searched: [url], hint: 'The hub answered without a commit id (sha); is HF_ENDPOINT a hub?' });
    }
    return body.sha;
  }

  /** Every file of the repository at `commit`, recursively. */
  async listFiles(id: string, commit: string, signal?: AbortSignal): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let url: string | undefined = `${this.endpoint}/api/models/${id}/tree/${encodeURIComponent(commit)}?recursive=true&expand=false`;
    while (url !== undefined) {
      const response = await this.get(id, url, signal);
      if (!response.ok) throw new ModelNotFoundError({ model: id, searched: [url], hint: `Listing the repository's files failed: ${response.status} ${response.statusText}${await errorText(response)}.` });
      const entries = (await response.json()) as TreeEntry[];
      if (!Array.isArray(entries)) throw new ModelNotFoundError({ model: id, searched: [url], hint: 'The tree listing is not a list; is HF_ENDPOINT a hub?' });
      for (const entry of entries) {
        if (entry.type !== 'file' || typeof entry.path !== 'string' || typeof entry.size !== 'number') continue;
        checkRepoFilePath(id, entry.path);
        const sha256 = entry.lfs?.oid;
        files.push({
          path: entry.path,
          size: entry.lfs?.size ?? entry.size,
          ...(typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
          ...(entry.lfs === undefined && typeof entry.oid === 'string' && /^[0-9a-f]{40}$/.test(entry.oid) ? { gitOid: entry.oid } : {}),
        });
      }
      const next = nextLink(response.headers.get('link'));
      url = next === undefined ? undefined : new URL(next, this.endpoint).toString();
    }
    return files;
  }
}

async function errorText(response: Response): Promise<string> {
  const message = response.headers.get('x-error-message');
  if (message) return ` (${message})`;
  try {
    const body = (await response.json()) as { error?: unknown };
    return typeof body.error === 'string' ? ` (${body.error})` : '';
  } catch {
    return '';
  }
}
