// A static server for the built app on 127.0.0.1: COOP/COEP on every answer (cross-origin
// isolation, so WebAssembly runs threads), the MIME types browsers insist on (.wasm, .mjs), and
// model folders mounted under /models/. Used by the end-to-end test and `npm start`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

export const isolationHeaders = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** The file under `root` that `relative` names, or undefined when it would leave `root`. */
function inside(root, relative) {
  const target = normalize(join(root, decodeURIComponent(relative)));
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep) ? target : undefined;
}

/**
 * Starts the server. `root`: the built app (vite's dist); `mounts`: URL prefix → folder (e.g.
 * `{ '/models/': '.cache/models/tiny' }`); `files`: exact URL path → folder file. Port 0 picks a free one.
 * Resolves with `{ url, requests, close() }`; `requests` lists every request as `METHOD /path`.
 */
export async function startStaticServer({ root, mounts = {}, host = '127.0.0.1', port = 0 }) {
  const folders = Object.entries(mounts).map(([prefix, folder]) => [prefix, resolve(folder)]);
  const app = resolve(root);
  const requests = [];
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(`${request.method} ${path}`);
    const mount = folders.find(([prefix]) => path.startsWith(prefix));
    let file = mount ? inside(mount[1], path.slice(mount[0].length)) : inside(app, path === '/' ? 'index.html' : path.slice(1));
    try {
      if (file !== undefined && (await stat(file)).isDirectory()) file = join(file, 'index.html');
      const info = file === undefined ? undefined : await stat(file);
      if (info === undefined || !info.isFile()) throw new Error('not found');
      response.writeHead(200, {
        ...isolationHeaders,
        'content-type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404, { ...isolationHeaders, 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found');
    }
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, done);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
