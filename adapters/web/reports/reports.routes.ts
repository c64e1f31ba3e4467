import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { dayIn } from '../../../core/domain/ticket-fact.js';
import type { Agent } from '../../../core/domain/desk.js';
import { deskMetrics } from '../../../core/use-cases/desk-metrics-report.js';
import { deliveryFailures, isQueueName, listFailed, queueHealth, retryFailed } from '../../../jobs/ops.js';
import { agentOf, requireAgent } from '../auth/middleware.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { consoleIdentity } from '../web.identity.js';
import { webStrings } from '../web.i18n.js';
import { page } from '../web.layout.js';
import { describeZod } from '../console/console.forms.js';
import './reports.i18n.js';
import { isTableName, reportTables, toCsv } from './reports.tables.js';
import { reportsBody, type ReportsQuery } from './reports.views.js';

const SCRIPTS = ['chart.umd.min.js', 'reports.js'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const querySchema = z.object({
  desk: z.string().max(64).optional(),
  to: z.string().regex(DAY, 'to: a date YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'to: not a real date').optional(),
  days: z.coerce.number({ message: 'days: a whole number from 1 to 366' }).int('days: a whole number from 1 to 366').min(1, 'days: a whole number from 1 to 366').max(366, 'days: a whole number from 1 to 366').default(30),
  table: z.string().max(40).optional(),
});

const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * `/console/reports`: the desk report of a period and of the one before it (one code path with
 * `helpdesk report` and `/help report`), charts drawn in the page, every table as CSV; leads also see
 * agents; admins (leads of any desk) see queue health and retry failed jobs.
 */
export function registerReportRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  app.use('/console/reports', requireAgent());
  app.use('/console/reports/*', requireAgent());

  const context = async (c: Context<WebEnv>) => {
    const a = agentOf(c);
    const agent = await ctx.deps.directory.agentByIdentity(consoleIdentity(a.agentId, a.name));
    const mine = ctx.desks.filter((d) => agent?.desks.some((x) => x.desk === d.id));
    if (!agent || mine.length === 0) throw webError(403, webStrings(c.get('locale')).t('rep.no_desk'), 'TICKET.NOT_AGENT');
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) throw webError(400, describeZod(parsed.error), 'INPUT.INVALID');
    const deskId = parsed.data.desk ?? mine[0]!.id;
    const desk = mine.find((d) => d.id === deskId);
    if (!desk) throw webError(403, `not an agent of desk ${deskId.slice(0, 40)}`, 'TICKET.NOT_AGENT');
    const to = parsed.data.to ?? dayIn(ctx.deps.clock.now(), desk.businessHours.timezone);
    const q: ReportsQuery = { desk: desk.id, to, days: parsed.data.days };
    return { agent, mine, desk, q, table: parsed.data.table, lead: isLead(agent, desk.id), admin: agent.desks.some((d) => d.lead) };
  };

  const metrics = async (q: ReportsQuery) => {
    if (!ctx.reports) throw webError(503, 'reports are not available in this process', 'UNAVAILABLE');
    const fromDay = shift(q.to, -(q.days - 1));
    const prevTo = shift(fromDay, -1);
    const [m, prev] = await Promise.all([deskMetrics(ctx.reports, q.desk, fromDay, q.to), deskMetrics(ctx.reports, q.desk, shift(prevTo, -(q.days - 1)), prevTo)]);
    return { m, prev };
  };

  app.get('/console/reports', async (c) => {
    const s = webStrings(c.get('locale'));
    const r = await context(c);
    const { m, prev } = await metrics(r.q);
    const health =
      r.admin && ctx.jobs
        ? { queues: await queueHealth(ctx.jobs), failed: await listFailed(ctx.jobs, undefined, 20), deliveries: await deliveryFailures(ctx.jobs) }
        : undefined;
    const retried = c.req.query('retried');
    const notice = retried !== undefined && /^\d{1,6}$/.test(retried) ? s.t('rep.retried', { n: retried }) : undefined;
    const body = reportsBody(c, s, { q: r.q, desks: r.mine, m, prev, lead: r.lead, health, notice });
    return c.html(page(c, s, { title: s.t('reports.title'), body, scripts: SCRIPTS, layout: 'wide', current: 'reports' }));
  });

  app.get('/console/reports/export.csv', async (c) => {
    const r = await context(c);
    if (!r.table || !isTableName(r.table)) throw webError(400, 'table: one of the page’s tables (volume, times, sla, escalations, self_service, csat, comments, agents, kb_gaps, kb_articles, comparison)', 'INPUT.INVALID');
    const { m, prev } = await metrics(r.q);
    const t = reportTables(m, prev, r.lead)[r.table];
    if (!t) throw webError(403, 'only the desk’s leads see the agents table', 'TICKET.NOT_AGENT');
    c.header('Content-Disposition', `attachment; filename="report-${r.q.desk}-${m.fromDay}-${m.toDay}-${r.table}.csv"`);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    return c.body(toCsv(t));
  });

  // Same function as `helpdesk jobs retry`; CSRF-checked by the app's middleware like every POST.
  app.post('/console/reports/jobs/retry', async (c) => {
    const a = agentOf(c);
    const agent = await ctx.deps.directory.agentByIdentity(consoleIdentity(a.agentId, a.name));
    if (!agent?.desks.some((d) => d.lead)) throw webError(403, 'only administrators (desk leads) can retry jobs', 'TICKET.NOT_AGENT');
    if (!ctx.jobs) throw webError(503, 'queues are not available in this process', 'UNAVAILABLE');
    const form = await c.req.parseBody();
    const queue = typeof form.queue === 'string' ? form.queue : '';
    const id = typeof form.id === 'string' ? form.id.slice(0, 200) : '';
    if (!isQueueName(queue)) throw webError(400, 'queue: one of delivery, sla, automation', 'INPUT.INVALID');
    if (!id) throw webError(400, 'id: the failed job’s id, or "all"', 'INPUT.INVALID');
    let n: number;
    try {
      n = await retryFailed(ctx.jobs, queue, id === 'all' ? 'all' : { id });
    } catch (e) {
      throw webError(409, (e as Error).message.slice(0, 200), 'JOB.NOT_RETRYABLE');
    }
    const back = typeof form.back === 'string' && form.back.startsWith('/console/reports?') && !form.back.startsWith('//') ? form.back.slice(0, 300) : '/console/reports?';
    return c.redirect(`${back}&retried=${n}#health`, 303);
  });
}

const isLead = (a: Agent, deskId: string) => a.desks.some((d) => d.desk === deskId && d.lead);
