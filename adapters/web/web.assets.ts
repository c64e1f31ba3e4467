import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** Reads `dir` (one level) into memory with a gzip copy and an ETag each. */
export function loadAssets(dir = PUBLIC_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    const file = path.join(dir, name);
    if (!type || !statSync(file).isFile()) continue;
    const body = readFileSync(file);
    assets.set(name, { body, gzip: gzipSync(body, { level: 9 }), type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` });
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
