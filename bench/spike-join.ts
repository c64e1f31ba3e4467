/**
 * Cost of joining a ticket to an incident spike as the spike grows (a storm of near-identical
 * requests joins one spike: up to SPIKE_TICKETS_MAX ticket ids on one document). FerretDB on an
 * embedded PostgreSQL in a temp dir; CPU of this process tree's ferretdb + postgres per join, by
 * spike size.
 *
 *   npx tsx bench/spike-join.ts
 *   SIZES=500,2500 CONC=16 npx tsx bench/spike-join.ts
 * Each size runs twice: `batched` (MongoSpikeStore.addTicket, concurrent joins written together) and
 * `one-by-one` (the same conditional update per join, as before the fifth session), in that order.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { mongoUriFor } from '../app/services/ferretdb.js';
import { startLocalStore } from '../app/services/local-store.js';
import { SPIKE_TICKETS_MAX } from '../core/ports/spike-store.port.js';
import { MongoSpikeStore } from '../core/store/spike.store.js';
import { cpuDelta, treeCpu } from './proc-cpu.js';

const SIZES = (process.env.SIZES ?? '100,1000,2500,4500').split(',').map(Number);
const STEP = Number(process.env.STEP ?? 200);
const CONC = Number(process.env.CONC ?? 16);

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-spike-'));
  chmodSync(tmp, 0o711);
  const store = await startLocalStore({ dataDir: tmp, backend: 'postgresql', ephemeral: true });
  const c = await mongoose.createConnection(mongoUriFor(store.url, `spike_${Date.now()}`)).asPromise();
  const spikes = new MongoSpikeStore(c);
  await spikes.create({ id: 'sp-1', deskId: 'it', ticketIds: ['t-0'], windowMinutes: 10, at: new Date() });
  let n = 1;
  const rows = [];
  for (const size of SIZES) {
    while (n < size) {
      const ids = Array.from({ length: Math.min(500, size - n) }, (_, i) => `t-${n + i}`);
      // `$inc v`: a write outside the store moves the spike's version as the store's writes do (see MongoSpikeStore).
      await c.collection('incident_spikes').updateOne({ _id: 'sp-1' as never }, { $push: { ticketIds: { $each: ids } }, $inc: { v: 1 } } as never);
      n += ids.length;
    }
    for (const mode of ['batched', 'one-by-one'] as const) {
      const join = mode === 'batched'
        ? (t: string) => spikes.addTicket('sp-1', t)
        : (t: string) => c.collection('incident_spikes').findOneAndUpdate({ _id: 'sp-1' as never, incidentId: { $exists: false }, ticketIds: { $ne: t }, [`ticketIds.${SPIKE_TICKETS_MAX - 1}`]: { $exists: false } }, { $push: { ticketIds: t }, $inc: { v: 1 } } as never, { returnDocument: 'after' });
      const cpu0 = treeCpu(process.pid);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: CONC }, async () => {
        while (next < STEP) {
          const i = next++;
          await join(`t-${n + i}`);
        }
      }));
      const ms = performance.now() - t0;
      const d = cpuDelta(cpu0, treeCpu(process.pid));
      n += STEP;
      rows.push({ spike_size: size, mode, joins: STEP, wall_ms_per_join: (ms / STEP).toFixed(2), ferretdb_cpu_ms: ((d.ferretdb ?? 0) * 1000 / STEP).toFixed(2), postgres_cpu_ms: ((d.postgres ?? 0) * 1000 / STEP).toFixed(2), node_cpu_ms: ((d.node ?? 0) * 1000 / STEP).toFixed(2) });
      console.log(JSON.stringify(rows.at(-1)));
    }
  }
  console.table(rows);
  await c.close();
  await store.stop();
  rmSync(tmp, { recursive: true, force: true });
}
void main();
