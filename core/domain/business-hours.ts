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

const localDay = (d: Date, h: BusinessHours) => DateTime.fromJSDate(d, { zone: h.timezone }).startOf('day');

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
  let day = localDay(from, h).minus({ days: 1 });
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 }).startOf('day')) {
    for (const [s, e] of spansOn(day, h)) {
      const a = Math.max(s.toMillis(), start);
      const avail = e.toMillis() - a;
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
  let day = localDay(to, h);
  for (let i = 0; i < MAX_DAYS; i++, day = day.minus({ days: 1 }).startOf('day')) {
    for (const [s, e] of spansOn(day, h).reverse()) {
      const b = Math.min(e.toMillis(), end);
      const avail = b - s.toMillis();
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
  const last = localDay(to, h);
  for (let day = localDay(from, h).minus({ days: 1 }); day <= last; day = day.plus({ days: 1 }).startOf('day')) {
    for (const [s, e] of spansOn(day, h)) {
      const a = Math.max(s.toMillis(), a0);
      const b = Math.min(e.toMillis(), b0);
      if (b > a) total += b - a;
    }
  }
  return total;
}

/** Is `at` inside the open hours (an agent's shift, a desk's hours)? */
export function isOpenAt(at: Date, h: BusinessHours): boolean {
  if (is24x7(h) && h.holidays.length === 0) return true;
  const t = at.getTime();
  const today = localDay(at, h);
  for (const day of [today.minus({ days: 1 }), today]) {
    for (const [s, e] of spansOn(day, h)) if (s.toMillis() <= t && t < e.toMillis()) return true;
  }
  return false;
}
