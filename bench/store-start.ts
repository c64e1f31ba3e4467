/**
 * Start-up time of the local store, to the first answered MongoDB ping: FerretDB on the embedded
 * PostgreSQL (first start with initdb, then a start on the existing cluster) beside FerretDB on SQLite.
 *
 *   npx tsx bench/store-start.ts            # ROUNDS=3 by default
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startLocalStore, type FerretdbBackend } from '../app/services/local-store.js';
import { mongoUriFor } from '../app/services/ferretdb.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function once(dataDir: string, backend: FerretdbBackend): Promise<number> {
  const t0 = performance.now();
  const s = await startLocalStore({ dataDir, backend });
  const c = await mongoose.createConnection(mongoUriFor(s.url, 'probe'), { serverSelectionTimeoutMS: 10_000 }).asPromise();
  await c.collection('x').insertOne({ at: new Date() });
  const ms = performance.now() - t0;
  await c.close();
  await s.stop();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Array<[string, number[]]> = [
  ['embedded PostgreSQL, first start (initdb)', []],
  ['embedded PostgreSQL, existing cluster', []],
  ['SQLite files', []],
];
for (let i = 0; i < ROUNDS; i++) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-start-'));
  chmodSync(dir, 0o711); // as root, PostgreSQL runs as `nobody`, which must reach its cluster
  try {
    rows[0]![1].push(await once(dir, 'postgresql'));
    rows[1]![1].push(await once(dir, 'postgresql'));
    rows[2]![1].push(await once(dir, 'sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`local store start to first ping + insert (${ROUNDS} rounds, median [min–max])`);
for (const [what, xs] of rows) console.log(`  ${what}: ${median(xs).toFixed(0)} ms [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`);
