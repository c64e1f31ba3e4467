import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Desk } from '../../../core/domain/desk.js';
import type { DeskMetrics } from '../../../core/use-cases/desk-metrics.js';
import type { FailedJobInfo, QueueHealth } from '../../../jobs/ops.js';
import type { WebEnv } from '../web.context.js';
import type { WebStrings } from '../web.i18n.js';
import { csrfField, type Html } from '../web.layout.js';
import { headline, splitKeys, type Cell, type TableName } from './reports.tables.js';

export interface ReportsQuery {
  desk: string;
  to: string;
  days: number;
}

export interface ReportsView {
  q: ReportsQuery;
  desks: readonly Desk[];
  m: DeskMetrics;
  prev: DeskMetrics;
  lead: boolean;
  health?: { queues: QueueHealth[]; failed: FailedJobInfo[]; deliveries: Record<string, number> };
  notice?: string;
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10} %`);
const num = (v: number | null) => (v === null ? '—' : String(v));
const RATES = new Set(['sla_attainment', 'reopen_rate', 'deflection_rate']);
const show = (k: string, v: number | null) => (RATES.has(k) ? pct(v) : num(v));

const csvHref = (q: ReportsQuery, table: TableName) => `/console/reports/export.csv?${new URLSearchParams({ desk: q.desk, to: q.to, days: String(q.days), table })}`;

/** A download link for one table's CSV. */
const csv = (s: WebStrings, q: ReportsQuery, table: TableName, what: string): Html =>
  html`<a class="csv" href="${csvHref(q, table)}" download aria-label="${s.t('rep.download', { what })}">${s.t('rep.csv')}</a>`;

/** A table of cells, every cell escaped (user text included: comments, questions). */
function table(caption: string, header: string[], rows: Cell[][], numeric: boolean[] = []): Html {
  return html`<div class="table-wrap"><table class="data">
<caption>${caption}</caption>
<thead><tr>${header.map((h, i) => html`<th scope="col"${numeric[i] ? html` class="num"` : ''}>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td${numeric[i] ? html` class="num"` : ''}>${c === null ? '—' : c}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

/** A chart's canvas (drawn by /assets/reports.js) with its figures as a table in a disclosure. */
function chart(id: string, alt: string, s: WebStrings, tableHtml: Html): Html {
  return html`<div class="chart"><canvas id="${id}" role="img" aria-label="${alt}"></canvas></div>
<details class="chart-table"><summary>${s.t('chart.table')}</summary>${tableHtml}</details>`;
}

function heading(s: WebStrings, q: ReportsQuery, id: string, title: string, tableName?: TableName): Html {
  return html`<div class="section-head"><h2 id="${id}">${title}</h2>${tableName ? csv(s, q, tableName, title) : ''}</div>`;
}

export function reportsBody(c: Context<WebEnv>, s: WebStrings, v: ReportsView): Html {
  const { q, m, prev } = v;
  const before = new Map(headline(prev));
  const ch = splitKeys(m.volume.byChannel);
  const data = {
    perDay: m.perDay.map((d) => ({ day: d.day, total: d.total, byChannel: d.byChannel, byCategory: d.byCategory, byPriority: d.byPriority, fr: [d.firstResponse.medianMinutes, d.firstResponse.p90Minutes], res: [d.resolution.medianMinutes, d.resolution.p90Minutes] })),
    keys: { channel: ch, category: splitKeys(m.volume.byCategory), priority: splitKeys(m.volume.byPriority) },
    sla: m.sla,
    csat: m.csat.distribution,
    escalations: m.escalations,
    labels: {
      met: s.t('col.met'), breached: s.t('col.breached'), paused: s.t('col.paused'), running: s.t('col.running'),
      fr_median: s.t('chart.fr_median'), fr_p90: s.t('chart.fr_p90'), res_median: s.t('chart.res_median'), res_p90: s.t('chart.res_p90'),
      tickets: s.t('col.tickets'), ratings: s.t('col.ratings'), tier: s.t('col.tier'),
    },
  };
  return html`<h1>${s.t('reports.title')}</h1>
${v.notice ? html`<p class="alert ok" role="status">${v.notice}</p>` : ''}
<form class="filters card" method="get" action="/console/reports">
<div class="field"><label for="r-desk">${s.t('rep.desk')}</label><select id="r-desk" name="desk">${v.desks.map((d) => html`<option value="${d.id}"${d.id === q.desk ? html` selected` : ''}>${d.name}</option>`)}</select></div>
<div class="field"><label for="r-to">${s.t('rep.to')}</label><input id="r-to" name="to" type="date" value="${q.to}" required></div>
<div class="field"><label for="r-days">${s.t('rep.days')}</label><input id="r-days" name="days" type="number" min="1" max="366" value="${q.days}" required></div>
<div class="actions"><button class="primary" type="submit">${s.t('rep.show')}</button></div>
</form>
<p class="hint" id="period">${s.t('rep.period', { from: m.fromDay, to: m.toDay, tz: m.timezone, pfrom: prev.fromDay, pto: prev.toDay })}</p>

<section aria-labelledby="h-headline">
${heading(s, q, 'h-headline', s.t('rep.headline'), 'comparison')}
<ul class="kpis">${headline(m).map(
    ([k, val]) => html`<li class="kpi" data-kpi="${k}"><span class="kpi-label">${s.t(`rep.h.${k}`)}</span><span class="kpi-value">${show(k, val)}</span><span class="kpi-prev">${s.t('rep.previous', { v: show(k, before.get(k) ?? null) })}</span></li>`,
  )}</ul>
</section>

<div id="report" data-report="${JSON.stringify(data)}"></div>

<section class="card" aria-labelledby="h-volume">
${heading(s, q, 'h-volume', s.t('rep.volume'), 'volume')}
<div class="field inline"><label for="r-split">${s.t('rep.split')}</label><select id="r-split"><option value="channel">${s.t('rep.by_channel')}</option><option value="category">${s.t('rep.by_category')}</option><option value="priority">${s.t('rep.by_priority')}</option></select></div>
${chart('chart-volume', s.t('chart.volume_alt'), s, table(s.t('rep.volume'), [s.t('col.day'), s.t('col.total'), ...ch], m.perDay.map((d) => [d.day, d.total, ...ch.map((k) => d.byChannel[k] ?? 0)]), [false, true, ...ch.map(() => true)]))}
</section>

<section class="card" aria-labelledby="h-times">
${heading(s, q, 'h-times', s.t('rep.times'), 'times')}
<p class="hint">${s.t('rep.times_hint')}</p>
${chart('chart-times', s.t('chart.times_alt'), s, table(s.t('rep.times'), [s.t('col.day'), s.t('chart.fr_median'), s.t('chart.fr_p90'), s.t('chart.res_median'), s.t('chart.res_p90')], m.perDay.map((d) => [d.day, d.firstResponse.medianMinutes, d.firstResponse.p90Minutes, d.resolution.medianMinutes, d.resolution.p90Minutes]), [false, true, true, true, true]))}
</section>

<div class="grid2">
<section class="card" aria-labelledby="h-sla">
${heading(s, q, 'h-sla', s.t('rep.sla'), 'sla')}
${chart('chart-sla', s.t('chart.sla_alt'), s, html``)}
${table(s.t('rep.sla'), [s.t('col.priority'), s.t('col.met'), s.t('col.breached'), s.t('col.paused'), s.t('col.running'), s.t('col.attainment')], m.sla.map((r) => [r.priority, r.met, r.breached, r.paused, r.running, pct(r.attainment)]), [false, true, true, true, true, true])}
</section>
<section class="card" aria-labelledby="h-esc">
${heading(s, q, 'h-esc', s.t('rep.escalations'), 'escalations')}
${chart('chart-esc', s.t('chart.esc_alt'), s, html``)}
${table(s.t('rep.escalations'), [s.t('col.tier'), s.t('col.tickets')], Object.entries(m.escalations).sort().map(([k, n]) => [k, n]), [false, true])}
<p id="reopen">${s.t('rep.reopened', { n: m.reopened, rate: pct(m.reopenRate) })}</p>
</section>
</div>

<div class="grid2">
<section class="card" aria-labelledby="h-self">
${heading(s, q, 'h-self', s.t('rep.self_service'), 'self_service')}
<dl class="facts" id="self-service"><dt>${s.t('rep.shown')}</dt><dd class="num">${m.selfService.suggestionsShown}</dd><dt>${s.t('rep.solved')}</dt><dd class="num">${m.selfService.solvedIt}</dd><dt>${s.t('rep.h.deflection_rate')}</dt><dd class="num">${pct(m.selfService.deflectionRate)}</dd></dl>
${m.selfService.topDeflecting.length ? table(s.t('rep.top_deflecting'), [s.t('col.article'), s.t('col.deflected')], m.selfService.topDeflecting.map((a) => [a.articleId, a.deflected]), [false, true]) : html`<p class="hint">${s.t('rep.none')}</p>`}
</section>
<section class="card" aria-labelledby="h-csat">
${heading(s, q, 'h-csat', s.t('rep.csat'), 'csat')}
<p id="csat-avg">${s.t('rep.csat_avg', { avg: num(m.csat.average), n: m.csat.count })}</p>
${chart('chart-csat', s.t('chart.csat_alt'), s, table(s.t('rep.csat'), [s.t('col.score'), s.t('col.ratings')], (['1', '2', '3', '4', '5'] as const).map((k) => [k, m.csat.distribution[k]]), [false, true]))}
<div class="section-head"><h3>${s.t('rep.comments')}</h3>${csv(s, q, 'comments', s.t('rep.comments'))}</div>
${m.csat.comments.length
  ? html`<ul class="comments">${m.csat.comments.map((x) => html`<li><span class="badge off">${x.number}</span> <span class="score" aria-label="${s.t('col.score')}">${x.score}/5</span> <q>${x.comment}</q></li>`)}</ul>`
  : html`<p class="hint">${s.t('rep.none')}</p>`}
</section>
</div>

${v.lead
  ? html`<section class="card" aria-labelledby="h-agents">
${heading(s, q, 'h-agents', s.t('rep.agents'), 'agents')}
<p class="hint">${s.t('rep.agents_hint')}</p>
${table(s.t('rep.agents'), [s.t('col.agent'), s.t('col.claimed'), s.t('col.resolved'), s.t('col.median_fr'), s.t('col.load')], m.agents.map((a) => [a.name, a.claimed, a.resolved, a.medianFirstResponseMinutes, a.currentLoad]), [false, true, true, true, true])}
</section>`
  : ''}

<section class="card" aria-labelledby="h-kb">
<h2 id="h-kb">${s.t('rep.kb')}</h2>
<div class="section-head"><h3 id="h-gaps">${s.t('rep.kb_gaps')}</h3>${csv(s, q, 'kb_gaps', s.t('rep.kb_gaps'))}</div>
<p class="hint">${s.t('rep.kb_gaps_hint')}</p>
${m.kb.gaps.length
  ? html`<div class="table-wrap"><table class="data" id="kb-gaps"><caption class="visually-hidden">${s.t('rep.kb_gaps')}</caption>
<thead><tr><th scope="col">${s.t('col.terms')}</th><th scope="col" class="num">${s.t('col.questions')}</th><th scope="col" class="num">${s.t('col.no_suggestion')}</th><th scope="col" class="num">${s.t('col.not_helpful')}</th><th scope="col">${s.t('col.examples')}</th></tr></thead>
<tbody>${m.kb.gaps.map((g) => html`<tr><td>${g.terms.join(' · ')}</td><td class="num">${g.count}</td><td class="num">${g.noSuggestion}</td><td class="num">${g.notHelpful}</td><td><ul class="examples">${g.examples.map((e) => html`<li><a href="/console/tickets/${e.number}">${e.number}</a> ${e.question}</li>`)}</ul></td></tr>`)}</tbody></table></div>`
  : html`<p class="hint">${s.t('rep.none')}</p>`}
<div class="section-head"><h3 id="h-articles">${s.t('rep.kb_articles')}</h3>${csv(s, q, 'kb_articles', s.t('rep.kb_articles'))}</div>
${m.kb.articles.length
  ? table(s.t('rep.kb_articles'), [s.t('col.article'), s.t('col.shown'), s.t('col.helpful'), s.t('col.not_helpful'), s.t('col.deflected')], m.kb.articles.map((a) => [a.articleId, a.shown, a.helpful, a.notHelpful, a.deflected]), [false, true, true, true, true])
  : html`<p class="hint">${s.t('rep.none')}</p>`}
</section>

${v.health ? healthSection(c, s, q, v.health) : ''}`;
}

function healthSection(c: Context<WebEnv>, s: WebStrings, q: ReportsQuery, h: NonNullable<ReportsView['health']>): Html {
  const back = `/console/reports?${new URLSearchParams({ desk: q.desk, to: q.to, days: String(q.days) })}`;
  return html`<section class="card" aria-labelledby="h-health" id="health">
<h2 id="h-health">${s.t('rep.health')}</h2>
${table(s.t('rep.health'), [s.t('col.queue'), s.t('col.waiting'), s.t('col.active'), s.t('col.delayed'), s.t('col.failed')], h.queues.map((x) => [x.queue, x.waiting, x.active, x.delayed, x.failed]), [false, true, true, true, true])}
<h3>${s.t('rep.delivery_failures')}</h3>
${Object.keys(h.deliveries).length ? table(s.t('rep.delivery_failures'), [s.t('col.platform'), s.t('col.failed')], Object.entries(h.deliveries).map(([k, n]) => [k, n]), [false, true]) : html`<p class="hint">${s.t('rep.none')}</p>`}
<h3>${s.t('rep.failed_jobs')}</h3>
${h.failed.length
  ? html`<div class="table-wrap"><table class="data" id="failed-jobs"><caption class="visually-hidden">${s.t('rep.failed_jobs')}</caption>
<thead><tr><th scope="col">${s.t('col.queue')}</th><th scope="col">${s.t('col.job')}</th><th scope="col">${s.t('col.error')}</th><th scope="col" class="num">${s.t('col.attempts')}</th><th scope="col"><span class="visually-hidden">${s.t('rep.retry')}</span></th></tr></thead>
<tbody>${h.failed.map(
      (j) => html`<tr data-job="${j.id}"><td>${j.queue}</td><td><code>${j.name}</code> ${j.about}</td><td class="error-text">${j.failedReason}</td><td class="num">${j.attemptsMade}</td>
<td><form method="post" action="/console/reports/jobs/retry">${csrfField(c)}<input type="hidden" name="queue" value="${j.queue}"><input type="hidden" name="id" value="${j.id}"><input type="hidden" name="back" value="${back}"><button type="submit">${s.t('rep.retry')}</button></form></td></tr>`,
    )}</tbody></table></div>`
  : html`<p class="hint">${s.t('rep.none')}</p>`}
</section>`;
}
