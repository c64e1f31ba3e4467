import path from 'node:path';
import type { Command } from 'commander';
import mongoose from 'mongoose';
import { MongoMetricsStore } from '../../core/store/metrics-rollup.model.js';
import { summarizeRollups, type DeskReport } from '../../core/use-cases/desk-report.js';
import { readEnv } from '../config/env.js';
import { loadDeskFile } from '../config/load-desk-file.js';
import { startLocalStore } from '../services/local-store.js';

const fmt = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`);

/** Plain-text report for a terminal. */
export function formatReport(r: DeskReport): string {
  return [
    `Desk ${r.deskId}, ${r.from} to ${r.to}`,
    `  requests      ${r.opened} (self-served ${r.selfServed}, deflection ${fmt(r.deflectionRate === null ? null : Math.round(r.deflectionRate * 1000) / 10, ' %')})`,
    `  to the desk   ${r.routed}   escalated ${r.escalated}   resolved ${r.resolved}   reopened ${r.reopened}`,
    `  first response (mean)  ${fmt(r.meanFirstResponseMinutes, ' min')}`,
    `  resolution (mean)      ${fmt(r.meanResolutionMinutes, ' min')}`,
    `  satisfaction           ${fmt(r.csatMean, ' / 5')} from ${r.csatCount} ratings`,
    `  volume per day         ${r.perDay.map((d) => `${d.day.slice(5)}:${d.opened}`).join(' ') || '—'}`,
  ].join('\n');
}

/** `helpdesk report`: response and resolution times, satisfaction, deflection and volume per desk. */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('Response and resolution times, satisfaction, deflection and volume per desk (from daily rollups)')
    .option('--desk <id>', 'one desk (default: every desk in the desk file)')
    .option('--days <n>', 'how many days back, today included', '30')
    .option('--json', 'one JSON object per desk')
    .action(async (o: { desk?: string; days: string; json?: boolean }) => {
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw new Error('--days takes a whole number from 1 to 3660');
      const env = readEnv(process.env);
      const desks = loadDeskFile(env.HELPDESK_CONFIG ?? path.resolve('helpdesk.example.yaml')).desks.map((d) => d.id);
      if (o.desk && !desks.includes(o.desk)) throw new Error(`no desk ${o.desk} (known: ${desks.join(', ')})`);
      // Same defaults as `npm start`: the local FerretDB data when MONGODB_URI is not set.
      const local = env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: path.resolve(env.HELPDESK_DATA_DIR ?? '.data'), backend: env.HELPDESK_FERRETDB_BACKEND, postgresqlUrl: env.HELPDESK_FERRETDB_POSTGRESQL_URL });
      const conn = await mongoose.createConnection(env.MONGODB_URI ?? `${local!.url}helpdesk`).asPromise();
      try {
        const store = new MongoMetricsStore(conn);
        const to = new Date().toISOString().slice(0, 10);
        const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
        for (const id of o.desk ? [o.desk] : desks) {
          const r = summarizeRollups(id, from, to, await store.read(id, from, to));
          console.log(o.json ? JSON.stringify(r) : formatReport(r));
        }
      } finally {
        await conn.close();
        await local?.stop();
      }
    });
}
