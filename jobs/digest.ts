import type { RedisClient } from './connection.js';
import { DateTime } from 'luxon';
import type { Desk } from '../core/domain/desk.js';
import { ACTIVE_STATUSES } from '../core/domain/ticket.js';
import { translator } from '../core/i18n/index.js';
import type { DeliveryOp } from '../core/ports/delivery.port.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { periodAndPrevious, reportView } from '../core/use-cases/desk-report-view.js';
import type { View } from '../core/views/view.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

export type DigestCounter = 'opened' | 'resolved' | 'breached';

const dayKey = (prefix: string, deskId: string, day: string) => helperKey(prefix, 'digest', deskId, day);
const today = (desk: Desk, at: Date) => DateTime.fromJSDate(at, { zone: desk.businessHours.timezone }).toISODate()!;

/** Daily counters per desk ($inc-style rollups in Redis, kept 40 days), read by the digest job. */
export async function countForDigest(redis: RedisClient, prefix: string, desk: Desk, what: DigestCounter, at: Date): Promise<void> {
  const key = dayKey(prefix, desk.id, today(desk, at));
  // One script, one command (MULTI/HINCRBY/EXPIRE/EXEC was four per opened ticket in a storm).
  await runScript(redis, COUNT, 1, key, what, 40 * 24 * 3600);
}

const COUNT = `redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])`;

/** How many days a cron pattern's digest covers: 7 when it names weekdays, else 1. */
export function digestDays(cron: string): number {
  const f = cron.trim().split(/\s+/);
  const dow = f.length === 6 ? f[5] : f[4];
  return dow && dow !== '*' && dow !== '?' ? 7 : 1;
}

/** Builds the digest of the last `days` days (ending today in the desk's zone) and its deliveries. */
export async function digestOps(deps: CoreDeps, redis: RedisClient, prefix: string, desk: Desk, days: number, now: Date): Promise<DeliveryOp[]> {
  const end = DateTime.fromJSDate(now, { zone: desk.businessHours.timezone });
  const totals = { opened: 0, resolved: 0, breached: 0 };
  for (let i = 0; i < days; i++) {
    const h = await redis.hgetall(dayKey(prefix, desk.id, end.minus({ days: i }).toISODate()!));
    for (const k of Object.keys(totals) as DigestCounter[]) totals[k] += Number(h[k] ?? 0);
  }
  const open = await deps.store.list({ deskId: desk.id, status: ACTIVE_STATUSES, limit: 200 });
  const tr = translator(desk.locale, desk.locale);
  const title = tr('digest.title', { desk: desk.name });
  const text = tr('digest.body', { ...totals, open: open.length >= 200 ? '200+' : open.length });
  // The headline numbers of the period against the one before, with the page's link: the same code
  // path as the reports page, `helpdesk report` and `/help report`.
  const report = deps.reporting ? await periodAndPrevious(deps, deps.reporting, desk, days) : undefined;
  const rv = report ? reportView(desk, days, report.m, report.prev, desk.locale, deps.reporting?.pageUrl?.(desk.id, report.m.toDay, days)) : undefined;
  const view: View = {
    kind: 'notice',
    fallback: [`${title}\n${text}`, ...(rv ? [rv.fallback] : [])].join('\n'),
    title,
    text,
    ...(rv ? { fields: rv.fields, ...(rv.items ? { items: rv.items } : {}), context: rv.title } : {}),
  };
  const channels = Object.keys(desk.logChannels).length ? desk.logChannels : (desk.tiers.find((t) => t.level === 1)?.channels ?? {});
  const stamp = end.startOf("minute").toISO();
  return Object.entries(channels).map(([platform, ch]) => ({
    kind: 'post' as const,
    key: `digest:${desk.id}:${days}:${stamp}:${platform}`,
    platform: platform as DeliveryOp['platform'],
    target: { workspace: ch!.workspace, channel: ch!.channel },
    view,
  }));
}
