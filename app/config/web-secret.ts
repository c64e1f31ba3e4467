import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config-error.js';

// The project root, from sources (app/config/) or from the build (dist/app/config/).
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const projectRoot = path.basename(here) === 'dist' ? path.dirname(here) : here;

/** The data directory `npm start` and the CLI share (`HELPDESK_DATA_DIR`, default `<project>/.data`). */
export const dataDirOf = (configured: string | undefined): string => path.resolve(configured ?? path.join(projectRoot, '.data'));

/**
 * The secret that signs magic links: `HELPDESK_WEB_SECRET` when set (required with several web
 * replicas); otherwise a random one created once in the data dir (mode 0600), so `npm start` and
 * `helpdesk web invite` on the same machine agree without configuration.
 */
export function webSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'web-secret');
  try {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(file, [`cannot read the web secret: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  const s = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${s}\n`, { mode: 0o600, flag: 'wx' });
    return s;
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw e;
  }
}

/** `https://x.example//` → `https://x.example` (a loop: linear whatever the input). */
export function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return url.slice(0, end);
}
