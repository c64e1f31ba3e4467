import { DateTime } from 'luxon';
import type { BusinessHours, Weekday } from './desk.js';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Two years of days: a configuration with no open time in that span has none at all. */
const MAX_DAYS = 366 * 2;

type Span = [DateTime, DateTime];

const is24x7 = (h: BusinessHours) => Object.keys(h.weekly).length === 0;

/** `HH:MM` on a local calendar day, as an absolute instant. '24:00' is the next midnight. */
function at(day: DateTime, hhmm: string): DateTime {
  const [hh, mm] = hhmm.split(':').map(Number);
  if (hh === 24) return day.plus({ days: 1 }).startOf('day');
  // In a DST gap (02:30 on a spring-forward night) luxon moves the time forward by the gap's length.
  return day.set({ hour: hh!, minute: mm ?? 0, second: 0, millisecond: 0 });
}

/**
 * Open intervals that start on one local calendar day, as absolute instants (DST-safe through
 * luxon: a day may be 23 or 25 hours long). An interval whose end is not after its start
 * (`['22:00', '06:00']`) runs overnight into the next day.
 */
function spansOn(day: DateTime, h: BusinessHours): Span[] {
  if (h.holidays.includes(day.toISODate() ?? '')) return [];
  if (is24x7(h)) return [[day, day.plus({ days: 1 }).startOf('day')]];
  const spans = h.weekly[WEEKDAYS[day.weekday - 1]!] ?? [];
  return spans
    .map(([from, to]): Span => {
      const start = at(day, from);
      let end = at(day, to);
      if (end <= start) end = at(day.plus({ days: 1 }).startOf('day'), to);
      return [start, end];
    })
    .sort((a, b) => a[0].toMillis() - b[0].toMillis());
}

type MsSpan = [number, number];
/** Open spans per local calendar day (`YYYY-MM-DD`), per business hours object (configurations are not mutated). */
const spanCache = new WeakMap<BusinessHours, Map<string, MsSpan[]>>();
/** Days remembered per business hours (a few years: every SLA target and report range fits). */
const DAYS_KEPT = 1_500;

/**
 * `spansOn` of the local calendar day `iso`, in epoch ms, computed once per day and configuration:
 * luxon's time-zone arithmetic (Intl) was ≈ 4 % of a storm worker's CPU, every ticket's SLA
 * deadlines and report fact walking the same few days again.
 */
function spansMs(iso: string, h: BusinessHours): MsSpan[] {
  let m = spanCache.get(h);
  if (!m) spanCache.set(h, (m = new Map()));
  let s = m.get(iso);
  if (!s) {
    s = spansOn(DateTime.fromISO(iso, { zone: h.timezone }).startOf('day'), h).map(([a, b]): MsSpan => [a.toMillis(), b.toMillis()]);
    m.set(iso, s);
    if (m.size > DAYS_KEPT) m.delete(m.keys().next().value!);
  }
  return s;
}

/** The local calendar day of `d` in the desk's zone. */
const localIso = (d: Date, h: BusinessHours): string => DateTime.fromJSDate(d, { zone: h.timezone }).toISODate()!;
/** The calendar day `n` days after `iso` (calendar arithmetic: no time zone involved). */
const dayAfter = (iso: string, n: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The instant at which `minutes` of business time have passed since `from`, counting only the
 * desk's open hours (weekly intervals in its time zone, skipping holidays). Empty `weekly` = 24×7.
 * Fractions of a minute are honoured (tests and tight targets use them).
 */
export function addBusinessMinutes(from: Date, minutes: number, h: BusinessHours): Date {
  if (minutes <= 0) return from;
  if (is24x7(h) && h.holidays.length === 0) return new Date(from.getTime() + minutes * 60_000);
  let remaining = minutes * 60_000;
  const start = from.getTime();
  // Start a day early: an overnight interval from yesterday may still be open.
  let day = dayAfter(localIso(from, h), -1);
  for (let i = 0; i < MAX_DAYS; i++, day = dayAfter(day, 1)) {
    for (const [s, e] of spansMs(day, h)) {
      const a = Math.max(s, start);
      const avail = e - a;
      if (avail <= 0) continue;
      if (avail >= remaining) return new Date(a + remaining);
      remaining -= avail;
    }
  }
  throw new RangeError('business hours have no open time in the next two years');
}

/**
 * The instant `minutes` of business time before `to` (e.g. when an SLA warning is due: 20 % of the
 * target before the deadline). Mirrors addBusinessMinutes backwards.
 */
export function subtractBusinessMinutes(to: Date, minutes: number, h: BusinessHours): Date {
  if (minutes <= 0) return to;
  if (is24x7(h) && h.holidays.length === 0) return new Date(to.getTime() - minutes * 60_000);
  let remaining = minutes * 60_000;
  const end = to.getTime();
  let day = localIso(to, h);
  for (let i = 0; i < MAX_DAYS; i++, day = dayAfter(day, -1)) {
    const spans = spansMs(day, h);
    for (let j = spans.length - 1; j >= 0; j--) {
      const [s, e] = spans[j]!;
      const b = Math.min(e, end);
      const avail = b - s;
      if (avail <= 0) continue;
      if (avail >= remaining) return new Date(b - remaining);
      remaining -= avail;
    }
  }
  throw new RangeError('business hours have no open time in the previous two years');
}

/** Business milliseconds between two instants (for reports and pause accounting). */
export function businessMsBetween(from: Date, to: Date, h: BusinessHours): number {
  if (to <= from) return 0;
  if (is24x7(h) && h.holidays.length === 0) return to.getTime() - from.getTime();
  let total = 0;
  const a0 = from.getTime();
  const b0 = to.getTime();
  const last = localIso(to, h);
  for (let day = dayAfter(localIso(from, h), -1); day <= last; day = dayAfter(day, 1)) {
    for (const [s, e] of spansMs(day, h)) {
      const a = Math.max(s, a0);
      const b = Math.min(e, b0);
      if (b > a) total += b - a;
    }
  }
  return total;
}

/** Is `at` inside the open hours (an agent's shift, a desk's hours)? */
export function isOpenAt(at: Date, h: BusinessHours): boolean {
  if (is24x7(h) && h.holidays.length === 0) return true;
  const t = at.getTime();
  const today = localIso(at, h);
  for (const day of [dayAfter(today, -1), today]) {
    for (const [s, e] of spansMs(day, h)) if (s <= t && t < e) return true;
  }
  return false;
}
