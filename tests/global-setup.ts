import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { RunningService } from '../app/services/ferretdb.js';
import { startLocalStore } from '../app/services/local-store.js';
import { dropDatabase } from '../app/services/postgres.js';
import { startRedis } from '../app/services/redis.js';

/**
 * Starts the services every test file shares: FerretDB (unless MONGODB_URI is set) and Redis
 * (unless REDIS_URL is set). FerretDB runs as `npm start` runs it by default: on an embedded
 * PostgreSQL, one cluster for the whole run in a temporary directory (HELPDESK_FERRETDB_BACKEND=sqlite:
 * SQLite files; HELPDESK_FERRETDB_POSTGRESQL_URL: a throwaway database on that server). Test files
 * isolate themselves with random database names and key prefixes.
 */
export default async function setup(project: TestProject) {
  const started: RunningService[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-test-'));
  chmodSync(dataDir, 0o711); // run as root, PostgreSQL runs as `nobody`, which must reach its cluster
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  let mongoUrl = process.env.MONGODB_URI;
  let externalPg: URL | undefined;
  let redisUrl = process.env.REDIS_URL;
  // The PostgreSQL database behind the local FerretDB, for tests of what the store sets up there ('' on SQLite or MONGODB_URI).
  let ferretPgUrl = '';
  try {
    if (!mongoUrl) {
      const pg = process.env.HELPDESK_FERRETDB_POSTGRESQL_URL;
      externalPg = pg ? Object.assign(new URL(pg), { pathname: `/hdtest_${process.pid}_${Date.now()}` }) : undefined;
      const f = await startLocalStore({
        dataDir,
        backend: process.env.HELPDESK_FERRETDB_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql',
        postgresqlUrl: externalPg?.toString(),
        ephemeral: true,
        log: (m) => console.log(`[setup] ${m}`),
      });
      started.push(f);
      mongoUrl = f.url;
      if (f.postgres) {
        const u = new URL(f.postgres.urlFor('ferretdb'));
        u.password = f.postgres.password;
        ferretPgUrl = u.toString();
      } else if (externalPg) ferretPgUrl = externalPg.toString();
    }
    if (!redisUrl) {
      const r = await startRedis();
      started.push(r);
      redisUrl = r.url;
    }
  } catch (e) {
    // A failed start leaves nothing behind: no servers, no temporary directory.
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  project.provide('mongoUrl', mongoUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('ferretPgUrl', ferretPgUrl);
  return async () => {
    await stopAll();
    if (externalPg) {
      await dropDatabase(Object.assign(new URL(externalPg), { pathname: '/postgres' }).toString(), externalPg.pathname.slice(1)).catch((e: unknown) =>
        console.log(`[setup] could not drop ${externalPg!.pathname.slice(1)}: ${(e as Error).message}`),
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
    ferretPgUrl: string;
  }
}
