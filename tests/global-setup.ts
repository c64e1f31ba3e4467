import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startFerretdb, type RunningService } from '../app/services/ferretdb.js';
import { startRedis } from '../app/services/redis.js';

/**
 * Starts the services every test file shares: FerretDB (unless MONGODB_URI is set) and Redis
 * (unless REDIS_URL is set). Test files isolate themselves with random database names and key prefixes.
 */
export default async function setup(project: TestProject) {
  const started: RunningService[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-test-'));
  let mongoUrl = process.env.MONGODB_URI;
  let pgUrl: string | undefined;
  if (!mongoUrl) {
    // HELPDESK_FERRETDB_POSTGRESQL_URL: run on FerretDB's PostgreSQL backend, in a throwaway database.
    const pg = process.env.HELPDESK_FERRETDB_POSTGRESQL_URL;
    pgUrl = pg ? Object.assign(new URL(pg), { pathname: `/hdtest_${process.pid}_${Date.now()}` }).toString() : undefined;
    const f = await startFerretdb(path.join(dataDir, 'ferretdb'), (m) => console.log(`[setup] ${m}`), { postgresqlUrl: pgUrl });
    started.push(f);
    mongoUrl = f.url;
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const r = await startRedis();
    started.push(r);
    redisUrl = r.url;
  }
  project.provide('mongoUrl', mongoUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const s of started.reverse()) await s.stop();
    if (pgUrl) {
      const admin = Object.assign(new URL(pgUrl), { pathname: '/postgres' }).toString();
      spawnSync('psql', [admin, '-tAc', `DROP DATABASE IF EXISTS "${new URL(pgUrl).pathname.slice(1)}"`]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
  }
}
