import { readFileSync } from 'node:fs';
import type { App } from '../context.js';
import { HttpError } from '../errors.js';

/** The page's files, shipped next to this module (the build copies them into `dist/playground/`), with their content types. */
const assets = {
  'index.html': 'text/html; charset=utf-8',
  'playground.js': 'text/javascript; charset=utf-8',
  'playground.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
} as const;

type AssetName = keyof typeof assets;

/**
 * The page runs only its own script and style from this origin and talks only to this origin: no
 * inline script or style, no other site, no framing, no form posts elsewhere. Images and audio the
 * user drops are shown from `blob:`/`data:` URLs.
 */
export const playgroundContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const headers = {
  'content-security-policy': playgroundContentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** True for the paths the playground serves: `/` and `/playground/*`. They hold no data, so they need no API key. */
export function isPlaygroundPath(path: string): boolean {
  return path === '/' || path.startsWith('/playground/');
}

/**
 * `GET /` (the page) and `GET /playground/{file}` (its module, stylesheet and icon). The files are
 * read once, here: a package whose build did not copy them fails at `createServer`, naming the file.
 */
export function registerPlaygroundRoutes(app: App): void {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  for (const [name, type] of Object.entries(assets) as Array<[AssetName, string]>) {
    const url = new URL(`./${name}`, import.meta.url);
    let body: Uint8Array;
    try {
      body = readFileSync(url);
    } catch (error) {
      throw new Error(`the playground's ${name} is missing from ${url.pathname} (was @accel/server built with its playground files?); pass ui: false to serve without it`, { cause: error });
    }
    files.set(name, { body, type });
  }
  const send = (name: string) => {
    const file = files.get(name);
    if (file === undefined) return undefined;
    return new Response(file.body, { status: 200, headers: { ...headers, 'content-type': file.type } });
  };
  app.get('/', (c) => {
    c.set('route', '/');
    return send('index.html')!;
  });
  app.get('/playground/:file', (c) => {
    c.set('route', '/playground/{file}');
    const file = c.req.param('file');
    const response = file === 'index.html' ? undefined : send(file);
    if (response === undefined) throw new HttpError(404, 'invalid_request_error', 'not_found', `no route GET ${c.req.path}`);
    return response;
  });
}
