import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { WebEnv } from './web.context.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

/** The folder of the browser files: served as they are, no build step. */
export const PUBLIC_DIR = path.join(import.meta.dirname, 'public');

/**
 * Browser files of npm dependencies, served from node_modules under /assets/ like ours (no CDN):
 * the name served → the file next to the package's main entry.
 */
export const VENDOR_ASSETS: Record<string, { pkg: string; file: string }> = {
  // Chart.js 4 UMD build (sets globalThis.Chart; no eval, no inline style: fine under our CSP).
  'chart.umd.min.js': { pkg: 'chart.js', file: 'chart.umd.min.js' },
};

const asset = (body: Buffer, type: string): Asset => ({ body, gzip: gzipSync(body, { level: 9 }), type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` });

/** Reads `dir` (one level) and the vendor files into memory with a gzip copy and an ETag each. */
export function loadAssets(dir = PUBLIC_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    const file = path.join(dir, name);
    if (!type || !statSync(file).isFile()) continue;
    assets.set(name, asset(readFileSync(file), type));
  }
  const require = createRequire(import.meta.url);
  for (const [name, v] of Object.entries(VENDOR_ASSETS)) {
    // The package's exports hide its dist/ folder: resolve its main entry and read beside it.
    const file = path.join(path.dirname(require.resolve(v.pkg)), v.file);
    assets.set(name, asset(readFileSync(file), TYPES[path.extname(name)]!));
  }
  return assets;
}

/** `GET /assets/<file>`: only files loaded at start (no path from the request touches the disk). */
export function registerAssetRoutes(app: Hono<WebEnv>, assets = loadAssets()): void {
  app.get('/assets/:name', (c) => {
    const a = assets.get(c.req.param('name'));
    if (!a) return c.json({ error: 'no such asset' }, 404);
    c.header('ETag', a.etag);
    c.header('Cache-Control', 'no-cache');
    c.header('Vary', 'Accept-Encoding');
    if (c.req.header('if-none-match') === a.etag) return c.body(null, 304);
    c.header('Content-Type', a.type);
    const gz = (c.req.header('accept-encoding') ?? '').includes('gzip');
    if (gz) c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(gz ? a.gzip : a.body));
  });
}
