import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installGinTwins } from './ferretdb-gin.js';
import { ensureDatabase } from './postgres.js';
import { commandExists, freePort, ServiceSetupError, startChild, stopChild, waitForPort } from './process-util.js';

const wrapperDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/ferretdb');
export const FERRETDB_VERSION = 'v1.24.2';

/**
 * Why two pool sizes: FerretDB 1.24 runs findAndModify and update as "query, then write" and keeps
 * the query's PostgreSQL connection until the command ends, so each such command holds one
 * connection while it waits for a second. When as many of them run at once as FerretDB's pgx pool
 * has connections (50 by default), every one waits for another and the server wedges for good: all
 * its PostgreSQL connections idle, no error (it hung two full test runs;
 * tests/app/ferretdb-pool.test.ts reproduces it with the old sizes). Each MongoDB client connection
 * runs one command at a time, so the wedge cannot happen while all clients together hold fewer
 * connections than FerretDB's pool: the local FerretDB gets FERRETDB_PG_POOL PostgreSQL
 * connections (embedded PostgreSQL allows 200; a PostgreSQL of yours, 100 by default, gets
 * FERRETDB_PG_POOL_EXTERNAL unless its URL sets pool_max_conns) and the URL it hands out limits each
 * client pool to LOCAL_MONGO_POOL, so six (three) processes at full load stay below it.
 */
export const FERRETDB_PG_POOL = 150;
export const FERRETDB_PG_POOL_EXTERNAL = 90;
export const LOCAL_MONGO_POOL = 24;

/** `base` (a local FerretDB url) with database `db`, keeping its query (the client pool limit). */
export function mongoUriFor(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

/** The PostgreSQL URL FerretDB gets: its pool enlarged unless the caller chose a size. */
function withPgPool(url: string, size: number): string {
  const u = new URL(url);
  if (!u.searchParams.has('pool_max_conns')) u.searchParams.set('pool_max_conns', String(size));
  return u.toString();
}

/**
 * Where the built binary is cached: outside the clone (`~/.cache/helpdesk`, or `HELPDESK_CACHE_DIR`),
 * keyed by FerretDB version and the wrapper's sources so a change rebuilds it.
 */
export function ferretdbBinaryPath(cacheRoot = process.env.HELPDESK_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'helpdesk')): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) h.update(readFileSync(path.join(wrapperDir, f)));
  return path.join(cacheRoot, `ferretdb-${FERRETDB_VERSION}-${h.digest('hex').slice(0, 12)}`, 'ferretdb');
}

/** Builds the FerretDB wrapper once (minutes on first run; cached afterwards). */
export function ensureFerretdbBinary(log: (msg: string) => void = () => {}): string {
  const bin = ferretdbBinaryPath();
  if (existsSync(bin)) return bin;
  if (!commandExists('go')) {
    throw new ServiceSetupError(
      'MongoDB is needed: set MONGODB_URI to a MongoDB >= 6 server, or install Go >= 1.24 (https://go.dev/dl) so the helpdesk can build FerretDB 1.24 locally.',
    );
  }
  mkdirSync(path.dirname(bin), { recursive: true });
  log(`building FerretDB ${FERRETDB_VERSION} into ${bin} (first run only; takes a minute or more)`);
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: wrapperDir,
    env: { ...process.env, CGO_ENABLED: '0' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new ServiceSetupError(`building FerretDB failed (go build in ${wrapperDir}):\n${r.stderr}`);
  renameSync(tmp, bin); // atomic: concurrent builders never see a half-written binary
  return bin;
}

export interface RunningService {
  url: string;
  stop(): Promise<void>;
  /** The server process id (supervised services: the current one). */
  pid?(): number | undefined;
}

export interface FerretdbOptions {
  /**
   * Use FerretDB's PostgreSQL backend with this database instead of SQLite files. It filters in
   * PostgreSQL rather than scanning in Go, which matters for benchmarks with thousands of tickets.
   */
  postgresqlUrl?: string;
  /** FerretDB's PostgreSQL pool size (see FERRETDB_PG_POOL); default FERRETDB_PG_POOL_EXTERNAL. */
  pgPool?: number;
  /** Extra environment for the server (PGPASSWORD: a password kept out of the command line). */
  env?: Record<string, string>;
}

/** Starts FerretDB on a free loopback port: SQLite backend in `dataDir`, or PostgreSQL when asked. */
export async function startFerretdb(dataDir: string, log: (msg: string) => void = () => {}, opts: FerretdbOptions = {}): Promise<RunningService> {
  const bin = ensureFerretdbBinary(log);
  const port = await freePort();
  let backend = ['--handler=sqlite', `--sqlite-url=file:${path.resolve(dataDir)}/`];
  if (!opts.postgresqlUrl) mkdirSync(dataDir, { recursive: true });
  else {
    const u = new URL(opts.postgresqlUrl);
    await ensureDatabase(Object.assign(new URL(u), { pathname: '/postgres' }).toString(), decodeURIComponent(u.pathname.slice(1)), opts.env?.PGPASSWORD);
    // Indexes FerretDB's own look-ups can use (app/services/ferretdb-gin.ts): without them every
    // look-up by key is a sequential scan of its collection.
    const warning = await installGinTwins(opts.postgresqlUrl, opts.env?.PGPASSWORD);
    if (warning) log(warning);
    backend = ['--handler=postgresql', `--postgresql-url=${withPgPool(opts.postgresqlUrl, opts.pgPool ?? FERRETDB_PG_POOL_EXTERNAL)}`];
  }
  const args = [`--listen-addr=127.0.0.1:${port}`, ...backend, '--log-level=error'];
  let { child, stderr } = startChild(bin, args, { env: opts.env });
  try {
    await waitForPort(port, 30_000, child);
  } catch (e) {
    await stopChild(child);
    throw new ServiceSetupError(`FerretDB did not start: ${(e as Error).message}\n${stderr()}`);
  }
  // Supervision: a database that dies under a running helpdesk or test run says why and is started
  // again on the same port and data (clients reconnect), at most 5 times.
  let stopping = false;
  let restarts = 0;
  const watch = (c: typeof child, err: () => string) => {
    c.once('exit', (code, signal) => {
      if (stopping) return;
      log(`FerretDB exited unexpectedly (${signal ?? `code ${code}`}):\n${err()}`);
      if (++restarts > 5) return;
      ({ child, stderr } = startChild(bin, args, { env: opts.env }));
      watch(child, stderr);
      waitForPort(port, 30_000, child).then(
        () => log(`FerretDB restarted on port ${port}`),
        (e: unknown) => log(`FerretDB could not be restarted: ${(e as Error).message}`),
      );
    });
  };
  watch(child, stderr);
  return {
    url: `mongodb://127.0.0.1:${port}/?maxPoolSize=${LOCAL_MONGO_POOL}`,
    pid: () => child.pid,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}
