/**
 * A small static server for the built preview: the build output at /, and the design
 * system's assets (stylesheet, icon sprites, images) at /assets, where SLDS expects them.
 * It listens on 127.0.0.1 only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const SLDS_ASSETS = path.join(path.dirname(require.resolve('@salesforce-ux/design-system/package.json')), 'assets');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The file a URL path names inside `root`, or null when the path tries to leave it. */
function fileIn(root, urlPath) {
  const file = path.join(root, decodeURIComponent(urlPath));
  return file.startsWith(root + path.sep) || file === root ? file : null;
}

/**
 * @param {{ root: string, port?: number }} options root is the build output; port 0 picks a free one
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startPreviewServer({ root, port = 0 }) {
  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url, 'http://localhost');
    const file = pathname.startsWith('/assets/')
      ? fileIn(SLDS_ASSETS, pathname.slice('/assets'.length))
      : fileIn(root, pathname === '/' ? '/index.html' : pathname);
    try {
      if (!file || !(await stat(file)).isFile()) throw new Error('not a file');
      response.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Not found: ${pathname}`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actualPort } = server.address();
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
