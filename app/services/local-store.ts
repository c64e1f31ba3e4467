import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FERRETDB_PG_POOL, startFerretdb, type RunningService } from './ferretdb.js';
import { startGinTwins, type GinTwins } from './ferretdb-gin.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './postgres.js';

/** FerretDB's storage: PostgreSQL (embedded unless a URL is given) or SQLite files. */
export type FerretdbBackend = 'postgresql' | 'sqlite';

export interface LocalStoreOptions {
  /** The helpdesk data directory: PostgreSQL's cluster goes in `postgres/`, SQLite files in `ferretdb/`. */
  dataDir: string;
  /**
   * Unset: PostgreSQL, except for a data directory that holds SQLite data from an earlier version and
   * no PostgreSQL cluster (that data stays where it is, with a log line saying how to move).
   */
  backend?: FerretdbBackend;
  /** An external PostgreSQL database for FerretDB (created if missing) instead of the embedded one. */
  postgresqlUrl?: string;
  /**
   * Database of the embedded cluster FerretDB stores in (each MongoDB database is a schema in it).
   * @defaultValue 'ferretdb'
   */
  database?: string;
  /** Throwaway data (tests): the embedded cluster runs without fsync. */
  ephemeral?: boolean;
  log?: (msg: string) => void;
}

export interface LocalStore extends RunningService {
  /** What FerretDB stores in, for logs. */
  backend: 'embedded-postgresql' | 'postgresql' | 'sqlite';
  /** The embedded PostgreSQL server, when one was started. */
  postgres?: EmbeddedPostgres;
  /** The GIN indexes kept for FerretDB's look-ups (PostgreSQL backends; `sweep()` adds missing ones now). */
  gin?: GinTwins;
}

/** FerretDB's SQLite backend keeps one `<database>.sqlite` file per database. */
function hasSqliteData(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.sqlite'));
  } catch {
    return false;
  }
}

/**
 * The local MongoDB-compatible store used when MONGODB_URI is unset: FerretDB 1.24 on an embedded
 * PostgreSQL 16 by default, on an external PostgreSQL when a URL is given, or on SQLite files.
 * `stop()` stops FerretDB, then PostgreSQL.
 */
export async function startLocalStore(o: LocalStoreOptions): Promise<LocalStore> {
  const log = o.log ?? (() => {});
  const ferretDir = path.join(o.dataDir, 'ferretdb');
  let backend = o.backend;
  if (!backend && !o.postgresqlUrl && hasSqliteData(ferretDir) && !existsSync(path.join(o.dataDir, 'postgres'))) {
    log(
      `${ferretDir} holds SQLite data from an earlier version: FerretDB stays on SQLite for it. To move to the embedded PostgreSQL ` +
        '(faster, concurrent writes), copy the data with mongodump/mongorestore into a run with HELPDESK_FERRETDB_BACKEND=postgresql; set HELPDESK_FERRETDB_BACKEND=sqlite to silence this.',
    );
    backend = 'sqlite';
  }
  if (backend === 'sqlite') return { ...(await startFerretdb(ferretDir, log)), backend: 'sqlite' };
  if (o.postgresqlUrl) {
    const f = await startFerretdb(ferretDir, log, { postgresqlUrl: o.postgresqlUrl });
    const gin = startGinTwins({ url: o.postgresqlUrl, log });
    return {
      ...f,
      backend: 'postgresql',
      gin,
      stop: async () => {
        await gin.stop();
        await f.stop();
      },
    };
  }
  const pg = await startEmbeddedPostgres({ dataDir: path.join(o.dataDir, 'postgres'), ephemeral: o.ephemeral, log });
  try {
    // startFerretdb creates the database if missing.
    const f = await startFerretdb(ferretDir, log, { postgresqlUrl: pg.urlFor(o.database ?? 'ferretdb'), env: pg.env, pgPool: FERRETDB_PG_POOL });
    // GIN twins of FerretDB's indexes, so its pushed-down equalities are index look-ups (ferretdb-gin.ts).
    const gin = startGinTwins({ url: pg.urlFor(o.database ?? 'ferretdb'), password: pg.password, log });
    return {
      ...f,
      backend: 'embedded-postgresql',
      postgres: pg,
      gin,
      stop: async () => {
        await gin.stop();
        await f.stop();
        await pg.stop();
      },
    };
  } catch (e) {
    await pg.stop();
    throw e;
  }
}
