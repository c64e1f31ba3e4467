import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStore } from '../../app/services/local-store.js';
import { mongoUriFor } from '../../app/services/ferretdb.js';
import { postgresBinaries, startEmbeddedPostgres, type EmbeddedPostgres } from '../../app/services/postgres.js';
import { ServiceSetupError } from '../../app/services/process-util.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'hd-local-store-'));
chmodSync(root, 0o711); // as root, PostgreSQL runs as `nobody`, which must reach its cluster
afterAll(() => rmSync(root, { recursive: true, force: true }));

const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by a dead parent's reaper) is not running.
  return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
};
async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}
const query = async (p: EmbeddedPostgres, sql: string) => {
  const c = new pg.Client({ host: '127.0.0.1', port: p.port, user: 'postgres', password: p.password, database: 'postgres' });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
};

describe('embedded PostgreSQL', () => {
  it('recreates the shared-library links npm may not have (install scripts skipped)', () => {
    const lib = path.join(path.dirname(postgresBinaries().postgres), '..', 'lib', 'libecpg.so');
    if (existsSync(lib)) unlinkSync(lib); // a link neither initdb nor the server loads
    postgresBinaries();
    expect(lstatSync(lib).isSymbolicLink()).toBe(true);
  });

  it('asks for a password, restarts after a crash with the data intact, stops without leftovers', async () => {
    const logs: string[] = [];
    const p = await startEmbeddedPostgres({ dataDir: path.join(root, 'crash'), log: (m) => logs.push(m), ephemeral: true });
    try {
      const noPassword = new pg.Client({ host: '127.0.0.1', port: p.port, user: 'postgres', password: 'wrong', database: 'postgres' });
      noPassword.on('error', () => {});
      await expect(noPassword.connect()).rejects.toThrow(/password authentication failed/);
      await query(p, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES (\'before\')');
      if (process.getuid?.() === 0) expect(readFileSync(`/proc/${p.pid!()}/status`, 'utf8')).toMatch(/^Uid:\s+65534\b/m);
      const first = p.pid!()!;
      process.kill(first, 'SIGKILL');
      const back = await until(async () => p.pid!() !== first && (await query(p, 'SELECT v FROM kept').then((r) => r[0]?.v === 'before', () => false)));
      expect(back, logs.join('\n')).toBe(true);
      expect(logs.some((l) => l.startsWith('PostgreSQL exited unexpectedly (SIGKILL)')), logs.join('\n')).toBe(true);
    } finally {
      const last = p.pid!();
      await p.stop();
      expect(alive(last)).toBe(false);
      expect(existsSync(path.join(root, 'crash', 'pgdata', 'postmaster.pid'))).toBe(false);
    }
  });

  it('starts over a stale postmaster.pid whose process number was reused, and refuses a cluster in use', async () => {
    const dataDir = path.join(root, 'stale');
    const first = await startEmbeddedPostgres({ dataDir, ephemeral: true });
    await expect(startEmbeddedPostgres({ dataDir, ephemeral: true })).rejects.toThrow(ServiceSetupError);
    await expect(startEmbeddedPostgres({ dataDir, ephemeral: true })).rejects.toThrow(`is in use by process ${first.pid!()}`);
    await first.stop();
    // A crash leaves postmaster.pid; after a container restart its number belongs to another process.
    const other = spawn('sleep', ['30']);
    const pidFile = path.join(dataDir, 'pgdata', 'postmaster.pid');
    writeFileSync(pidFile, `${other.pid}\n${path.join(dataDir, 'pgdata')}\n`);
    const logs: string[] = [];
    try {
      const again = await startEmbeddedPostgres({ dataDir, ephemeral: true, log: (m) => logs.push(m) });
      expect(await query(again, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await again.stop();
      expect(logs.some((l) => l.includes('removed a stale'))).toBe(true);
    } finally {
      other.kill();
    }
  });
});

describe('local store', () => {
  it('FerretDB on the embedded PostgreSQL keeps data across a restart of both', async () => {
    const dataDir = path.join(root, 'store');
    for (const round of [1, 2]) {
      const s = await startLocalStore({ dataDir });
      expect(s.backend).toBe('embedded-postgresql');
      const c = await mongoose.createConnection(mongoUriFor(s.url, 'helpdesk')).asPromise();
      try {
        if (round === 1) await c.collection('t').insertOne({ _id: 'kept' as never, n: 1 });
        expect(await c.collection('t').findOne({ _id: 'kept' as never })).toEqual({ _id: 'kept', n: 1 });
      } finally {
        await c.close();
        await s.stop();
      }
    }
  });

  it('a data directory holding only SQLite data from before stays on SQLite, and says how to move', async () => {
    const dataDir = path.join(root, 'legacy');
    const before = await startLocalStore({ dataDir, backend: 'sqlite' }); // what earlier versions ran
    const c1 = await mongoose.createConnection(mongoUriFor(before.url, 'helpdesk')).asPromise();
    await c1.collection('t').insertOne({ _id: 'old' as never });
    await c1.close();
    await before.stop();
    const logs: string[] = [];
    const s = await startLocalStore({ dataDir, log: (m) => logs.push(m) });
    try {
      expect(s.backend).toBe('sqlite');
      const c2 = await mongoose.createConnection(mongoUriFor(s.url, 'helpdesk')).asPromise();
      expect(await c2.collection('t').countDocuments({ _id: 'old' as never })).toBe(1);
      await c2.close();
      expect(logs.join('\n')).toContain('holds SQLite data from an earlier version');
      expect(logs.join('\n')).toContain('HELPDESK_FERRETDB_BACKEND=postgresql');
      expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
    } finally {
      await s.stop();
    }
    const chosen = await startLocalStore({ dataDir, backend: 'postgresql' });
    expect(chosen.backend).toBe('embedded-postgresql');
    await chosen.stop();
  });

  it('nothing it started outlives a process killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'support', 'local-store-child.ts'), path.join(root, 'orphans')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before starting`)));
    });
    const { ferretdb, postgres } = JSON.parse(line) as { ferretdb: number; postgres: number };
    expect(alive(ferretdb) && alive(postgres)).toBe(true);
    child.kill('SIGKILL');
    expect(await until(() => !alive(ferretdb) && !alive(postgres))).toBe(true);
  }, 60_000);
});
