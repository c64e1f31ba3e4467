import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { DeskMetrics } from '../../core/use-cases/desk-metrics.js';
import type { ReportDeps } from '../../core/use-cases/desk-metrics-report.js';
import type { DeskReport } from '../../core/use-cases/desk-report.js';
import { readEnv } from '../config/env.js';
import { loadDeskFile } from '../config/load-desk-file.js';

// The store and report modules (mongoose, the KB analyzer) load when `report` runs, not for `--help`.
const reportModules = async () => {
  const [{ default: mongoose }, dir, rollups, tickets, facts, metrics, report, gaps, local, ferret] = await Promise.all([
    import('mongoose'),
    import('../../core/store/mongo-directory.js'),
    import('../../core/store/metrics-rollup.model.js'),
    import('../../core/store/mongo-ticket-store.js'),
    import('../../core/store/ticket-fact.store.js'),
    import('../../core/use-cases/desk-metrics-report.js'),
    import('../../core/use-cases/desk-report.js'),
    import('../../kb/gap-terms.js'),
    import('../services/local-store.js'),
    import('../services/ferretdb.js'),
  ]);
  return { mongoose, ...dir, ...rollups, ...tickets, ...facts, ...metrics, ...report, ...gaps, ...local, ...ferret };
};

const fmt = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`);
const pct = (v: number | null) => fmt(v === null ? null : Math.round(v * 1000) / 10, ' %');
const pairs = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k}:${n}`).join(' ') || '—';

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

/** The detailed figures (ticket facts, business hours) under the summary. */
export function formatMetrics(m: DeskMetrics): string {
  return [
    `  tickets created ${m.fromDay}..${m.toDay} (${m.timezone}): ${m.volume.total}`,
    `    by channel   ${pairs(m.volume.byChannel)}`,
    `    by category  ${pairs(m.volume.byCategory)}`,
    `    by priority  ${pairs(m.volume.byPriority)}`,
    `  first response, business hours  median ${fmt(m.firstResponse.medianMinutes, ' min')}  p90 ${fmt(m.firstResponse.p90Minutes, ' min')}  (${m.firstResponse.count})`,
    `  resolution, business hours      median ${fmt(m.resolution.medianMinutes, ' min')}  p90 ${fmt(m.resolution.p90Minutes, ' min')}  (${m.resolution.count})`,
    ...m.sla.map((s) => `  SLA ${s.priority}  met ${s.met}  breached ${s.breached}  paused ${s.paused}  running ${s.running}  attainment ${pct(s.attainment)}`),
    `  escalations per tier ${pairs(m.escalations)}   reopened ${m.reopened} (${pct(m.reopenRate)})`,
    `  self-service   shown ${m.selfService.suggestionsShown}  solved it ${m.selfService.solvedIt}  deflection ${pct(m.selfService.deflectionRate)}  top ${m.selfService.topDeflecting.map((a) => `${a.articleId}:${a.deflected}`).join(' ') || '—'}`,
    `  CSAT           average ${fmt(m.csat.average, ' / 5')} from ${m.csat.count}  ${pairs(m.csat.distribution)}`,
    ...m.agents.map((a) => `  agent ${a.agentId}  claimed ${a.claimed}  resolved ${a.resolved}  median first response ${fmt(a.medianFirstResponseMinutes, ' min')}  load ${a.currentLoad}`),
    ...m.kb.gaps.slice(0, 5).map((g) => `  KB gap [${g.terms.join(' ')}] ${g.count}× e.g. ${g.examples[0]?.number ?? ''} "${g.examples[0]?.question ?? ''}"`),
  ].join('\n');
}

const optionsSchema = z.object({
  desk: z.string().max(64).optional(),
  days: z.coerce.number({ message: '--days takes a whole number from 1 to 3660' }).int('--days takes a whole number from 1 to 3660').min(1, '--days takes a whole number from 1 to 3660').max(3660, '--days takes a whole number from 1 to 3660'),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '--to takes a date YYYY-MM-DD').optional(),
  json: z.boolean().optional(),
});

/** `helpdesk report`: response and resolution times, satisfaction, deflection and volume per desk. */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('Desk report: volume, business-hours response and resolution times, SLA, self-service, CSAT, agents, KB gaps')
    .option('--desk <id>', 'one desk (default: every desk in the desk file)')
    .option('--days <n>', 'how many days back, today included', '30')
    .option('--to <YYYY-MM-DD>', 'last day of the period (default: today in the desk time zone)')
    .option('--json', 'one JSON object per desk')
    .action(async (raw: unknown) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
      const { mongoose, startLocalStore, mongoUriFor, MongoMetricsStore, MongoReportStore, MongoDirectory, MongoTicketStore, gapTerms, periodDays, summarizeRollups, deskMetrics } = await reportModules();
      const o = parsed.data;
      const env = readEnv(process.env);
      const file = loadDeskFile(env.HELPDESK_CONFIG ?? path.resolve('helpdesk.example.yaml'));
      const desks = file.desks.map((d) => d.id);
      if (o.desk && !desks.includes(o.desk)) throw new Error(`no desk ${o.desk} (known: ${desks.join(', ')})`);
      // Same defaults as `npm start`: the local FerretDB data when MONGODB_URI is not set.
      const local = env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: path.resolve(env.HELPDESK_DATA_DIR ?? '.data'), backend: env.HELPDESK_FERRETDB_BACKEND, postgresqlUrl: env.HELPDESK_FERRETDB_POSTGRESQL_URL });
      const conn = await mongoose.createConnection(env.MONGODB_URI ?? mongoUriFor(local!.url, 'helpdesk')).asPromise();
      try {
        const store = new MongoMetricsStore(conn);
        const reports = new MongoReportStore(conn);
        // A database the runtime has not started on since the read model came: build it first (once).
        await reports.backfillDays();
        const deps: ReportDeps = { reports, directory: new MongoDirectory(conn, file.desks), store: new MongoTicketStore(conn), terms: (t) => gapTerms(t) };
        for (const id of o.desk ? [o.desk] : desks) {
          const tz = deps.directory.desk(id).businessHours.timezone;
          const { fromDay, toDay } = o.to ? { fromDay: new Date(Date.parse(`${o.to}T00:00:00Z`) - (o.days - 1) * 86_400_000).toISOString().slice(0, 10), toDay: o.to } : periodDays(new Date(), o.days, tz);
          // The daily rollups are kept per UTC day (as before); the ticket facts per desk-local day.
          const utcTo = o.to ?? new Date().toISOString().slice(0, 10);
          const utcFrom = new Date(Date.parse(`${utcTo}T00:00:00Z`) - (o.days - 1) * 86_400_000).toISOString().slice(0, 10);
          const summary = summarizeRollups(id, utcFrom, utcTo, await store.read(id, utcFrom, utcTo));
          const metrics = await deskMetrics(deps, id, fromDay, toDay);
          console.log(o.json ? JSON.stringify({ ...summary, metrics }) : `${formatReport(summary)}\n${formatMetrics(metrics)}`);
        }
      } finally {
        await conn.close();
        await local?.stop();
      }
    });
}
