import { DateTime } from 'luxon';
import type { BusinessHours, Weekday } from './desk.js';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const is24x7 = (h: BusinessHours) => Object.keys(h.weekly).length === 0;

/** Open intervals of one local calendar day, as absolute instants (DST-safe through luxon). */
function intervalsOn(day: DateTime, h: BusinessHours): Array<[DateTime, DateTime]> {
  if (h.holidays.includes(day.toISODate() ?? '')) return [];
  const spans = h.weekly[WEEKDAYS[day.weekday - 1]!] ?? [];
  return spans.map(([from, to]) => {
    const [fh, fm] = from.split(':').map(Number);
    const [th, tm] = to.split(':').map(Number);
    const start = day.set({ hour: fh!, minute: fm!, second: 0, millisecond: 0 });
    // '24:00' means end of day.
    const end = th === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: th!, minute: tm!, second: 0, millisecond: 0 });
    return [start, end] as [DateTime, DateTime];
  });
}

/**
 * The instant at which `minutes` of business time have passed since `from`, counting only the
 * desk's open hours (weekly intervals in its time zone, skipping holidays). Empty `weekly` = 24×7.
 */
export function addBusinessMinutes(from: Date, minutes: number, h: BusinessHours): Date {
  if (minutes <= 0) return from;
  if (is24x7(h) && h.holidays.length === 0) return new Date(from.getTime() + minutes * 60_000);
  let remaining = minutes * 60_000;
  let day = DateTime.fromJSDate(from, { zone: h.timezone }).startOf('day');
  const start = DateTime.fromJSDate(from, { zone: h.timezone });
  // A year of closed days means the configuration has no open hours at all.
  for (let i = 0; i < 366 * 2; i++, day = day.plus({ days: 1 })) {
    const spans = is24x7(h) ? (h.holidays.includes(day.toISODate() ?? '') ? [] : [[day, day.plus({ days: 1 }).startOf('day')] as [DateTime, DateTime]]) : intervalsOn(day, h);
    for (const [s, e] of spans) {
      const a = s < start ? start : s;
      if (e <= a) continue;
      const avail = e.toMillis() - a.toMillis();
      if (avail >= remaining) return new Date(a.toMillis() + remaining);
      remaining -= avail;
    }
  }
  throw new RangeError('business hours have no open time in the next two years');
}

/** Business milliseconds between two instants (for reports and pause accounting). */
export function businessMsBetween(from: Date, to: Date, h: BusinessHours): number {
  if (to <= from) return 0;
  if (is24x7(h) && h.holidays.length === 0) return to.getTime() - from.getTime();
  let total = 0;
  const start = DateTime.fromJSDate(from, { zone: h.timezone });
  const end = DateTime.fromJSDate(to, { zone: h.timezone });
  for (let day = start.startOf('day'); day < end; day = day.plus({ days: 1 })) {
    const spans = is24x7(h) ? (h.holidays.includes(day.toISODate() ?? '') ? [] : [[day, day.plus({ days: 1 }).startOf('day')] as [DateTime, DateTime]]) : intervalsOn(day, h);
    for (const [s, e] of spans) {
      const a = s < start ? start : s;
      const b = e > end ? end : e;
      if (b > a) total += b.toMillis() - a.toMillis();
    }
  }
  return total;
}
