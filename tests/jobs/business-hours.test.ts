import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMsBetween, isOpenAt, subtractBusinessMinutes } from '../../core/domain/business-hours.js';
import type { BusinessHours } from '../../core/domain/desk.js';
import { pauseSla, resumeSla, slaDeadlines, slaWarnAt } from '../../core/domain/sla.js';
import { testDesk } from '../support/fixtures.js';

const MADRID = 'Europe/Madrid';
const nineToFive: BusinessHours = {
  timezone: MADRID,
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: ['2025-01-06'],
};
const allDay = (timezone: string, holidays: string[] = []): BusinessHours => ({
  timezone,
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
  holidays,
});
/** A local wall-clock time in `zone` as a Date. */
const local = (iso: string, zone = MADRID) => DateTime.fromISO(iso, { zone }).toJSDate();
const iso = (d: Date, zone = MADRID) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

describe('addBusinessMinutes', () => {
  it('counts within one day', () => {
    expect(iso(addBusinessMinutes(local('2025-01-14T10:00'), 90, nineToFive))).toBe('2025-01-14T11:30:00+01:00');
  });
  it('carries over the night', () => {
    expect(iso(addBusinessMinutes(local('2025-01-14T16:30'), 60, nineToFive))).toBe('2025-01-15T09:30:00+01:00');
    expect(iso(addBusinessMinutes(local('2025-01-14T18:00'), 30, nineToFive))).toBe('2025-01-15T09:30:00+01:00');
  });
  it('starts at opening when asked before it', () => {
    expect(iso(addBusinessMinutes(local('2025-01-14T07:00'), 30, nineToFive))).toBe('2025-01-14T09:30:00+01:00');
  });
  it('skips the weekend', () => {
    expect(iso(addBusinessMinutes(local('2025-01-17T16:00'), 120, nineToFive))).toBe('2025-01-20T10:00:00+01:00');
    expect(iso(addBusinessMinutes(local('2025-01-18T12:00'), 10, nineToFive))).toBe('2025-01-20T09:10:00+01:00');
  });
  it('skips holidays (Friday before Epiphany Monday → Tuesday)', () => {
    expect(iso(addBusinessMinutes(local('2025-01-03T16:30'), 60, nineToFive))).toBe('2025-01-07T09:30:00+01:00');
  });
  it('spans several days of hours', () => {
    // 3 full days (24 h of business time) from Wednesday 09:00 → Friday 17:00
    expect(iso(addBusinessMinutes(local('2025-01-15T09:00'), 3 * 8 * 60, nineToFive))).toBe('2025-01-17T17:00:00+01:00');
  });
  it('DST spring forward: a 24×7 desk counts real time across the missing hour', () => {
    // 2025-03-30 02:00 CET → 03:00 CEST
    expect(iso(addBusinessMinutes(local('2025-03-29T23:00'), 240, allDay(MADRID)))).toBe('2025-03-30T04:00:00+02:00');
  });
  it('DST fall back: the repeated hour counts twice', () => {
    // 2025-10-26 03:00 CEST → 02:00 CET
    expect(iso(addBusinessMinutes(local('2025-10-25T23:00'), 240, allDay(MADRID)))).toBe('2025-10-26T02:00:00+01:00');
  });
  it('DST between Friday and Monday keeps local opening hours', () => {
    expect(iso(addBusinessMinutes(local('2025-03-28T16:00'), 120, nineToFive))).toBe('2025-03-31T10:00:00+02:00');
    expect(addBusinessMinutes(local('2025-03-28T16:00'), 120, nineToFive).toISOString()).toBe('2025-03-31T08:00:00.000Z');
  });
  it('DST in New York with weekday hours', () => {
    const ny: BusinessHours = { ...nineToFive, timezone: 'America/New_York', holidays: [] };
    // 2025-11-02 is the fall-back Sunday
    expect(iso(addBusinessMinutes(local('2025-10-31T16:00', 'America/New_York'), 120, ny), 'America/New_York')).toBe('2025-11-03T10:00:00-05:00');
  });
  it('overnight intervals run into the next day', () => {
    const nights: BusinessHours = { timezone: 'UTC', weekly: { mon: [['22:00', '06:00']] }, holidays: [] };
    expect(addBusinessMinutes(new Date('2025-01-13T21:00:00Z'), 120, nights).toISOString()).toBe('2025-01-14T00:00:00.000Z');
    expect(addBusinessMinutes(new Date('2025-01-14T05:00:00Z'), 30, nights).toISOString()).toBe('2025-01-14T05:30:00.000Z');
    expect(addBusinessMinutes(new Date('2025-01-14T05:00:00Z'), 90, nights).toISOString()).toBe('2025-01-20T22:30:00.000Z');
  });
  it('24×7 with holidays skips the holiday', () => {
    const h = allDay('UTC', ['2025-01-02']);
    expect(addBusinessMinutes(new Date('2025-01-01T23:00:00Z'), 120, h).toISOString()).toBe('2025-01-03T01:00:00.000Z');
    expect(addBusinessMinutes(new Date('2025-01-01T23:00:00Z'), 120, { timezone: 'UTC', weekly: {}, holidays: ['2025-01-02'] }).toISOString()).toBe('2025-01-03T01:00:00.000Z');
  });
  it('fractions of a minute', () => {
    expect(addBusinessMinutes(new Date('2025-01-14T10:00:00Z'), 0.01, allDay('UTC')).toISOString()).toBe('2025-01-14T10:00:00.600Z');
  });
  it('fails clearly when there are no open hours', () => {
    expect(() => addBusinessMinutes(new Date(), 1, { timezone: 'UTC', weekly: { mon: [] }, holidays: [] })).toThrow(RangeError);
  });
});

describe('businessMsBetween, subtractBusinessMinutes and isOpenAt agree with addBusinessMinutes', () => {
  const cases: Array<[string, number]> = [];
  // Deterministic pseudo-random starts over a year with DST changes, weekends and a holiday.
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 200; i++) cases.push([new Date(Date.UTC(2025, 0, 1) + Math.floor(rnd() * 365 * 86_400_000)).toISOString(), Math.floor(rnd() * 5000) + 1]);

  it('between(from, add(from, m)) = m', () => {
    for (const [from, m] of cases) {
      const f = new Date(from);
      expect(businessMsBetween(f, addBusinessMinutes(f, m, nineToFive), nineToFive)).toBe(m * 60_000);
    }
  });
  it('subtract(add(from, m), m) = from when from is open', () => {
    for (const [from, m] of cases) {
      const f = new Date(from);
      if (!isOpenAt(f, nineToFive)) continue;
      expect(subtractBusinessMinutes(addBusinessMinutes(f, m, nineToFive), m, nineToFive).toISOString()).toBe(f.toISOString());
    }
  });
  it('isOpenAt respects hours, weekends and holidays', () => {
    expect(isOpenAt(local('2025-01-14T10:00'), nineToFive)).toBe(true);
    expect(isOpenAt(local('2025-01-14T17:00'), nineToFive)).toBe(false);
    expect(isOpenAt(local('2025-01-18T10:00'), nineToFive)).toBe(false);
    expect(isOpenAt(local('2025-01-06T10:00'), nineToFive)).toBe(false);
    const nights: BusinessHours = { timezone: 'UTC', weekly: { mon: [['22:00', '06:00']] }, holidays: [] };
    expect(isOpenAt(new Date('2025-01-14T03:00:00Z'), nights)).toBe(true);
    expect(isOpenAt(new Date('2025-01-14T07:00:00Z'), nights)).toBe(false);
  });
  it('subtract goes back over the weekend', () => {
    expect(iso(subtractBusinessMinutes(local('2025-01-20T09:06'), 12, nineToFive))).toBe('2025-01-17T16:54:00+01:00');
  });
});

describe('SLA helpers', () => {
  const desk = testDesk({ businessHours: nineToFive });
  it('deadlines in business time', () => {
    const s = slaDeadlines(desk, 'P1', local('2025-01-17T16:50'));
    expect(iso(s.firstResponseDueAt!)).toBe('2025-01-20T09:05:00+01:00');
    expect(iso(s.resolutionDueAt!)).toBe('2025-01-20T12:50:00+01:00');
  });
  it('warning at 80 % of the target, counted in business time', () => {
    // P2 first response 60 min → warn 12 business minutes before the deadline
    expect(iso(slaWarnAt(desk, 'P2', 'firstResponse', local('2025-01-20T09:06'))!)).toBe('2025-01-17T16:54:00+01:00');
    expect(slaWarnAt(testDesk({ sla: { ...desk.sla, warnAtPercent: 0 } }), 'P2', 'firstResponse', new Date())).toBeUndefined();
  });
  it('pause and resume keep the business time left', () => {
    const s = { firstResponseDueAt: local('2025-01-17T16:30'), resolutionDueAt: local('2025-01-20T10:00') };
    const paused = pauseSla(s, local('2025-01-17T16:00'));
    expect(pauseSla(paused, local('2025-01-17T16:10')).pausedAt).toEqual(local('2025-01-17T16:00'));
    const resumed = resumeSla(desk, paused, local('2025-01-20T11:00'));
    expect(resumed.pausedAt).toBeUndefined();
    expect(iso(resumed.firstResponseDueAt!)).toBe('2025-01-20T11:30:00+01:00'); // 30 min were left
    expect(iso(resumed.resolutionDueAt!)).toBe('2025-01-20T13:00:00+01:00'); // 1 h Friday + 1 h Monday were left
    expect(resumed.pausedMs).toBe(local('2025-01-20T11:00').getTime() - local('2025-01-17T16:00').getTime());
  });
  it('an overdue deadline stays overdue after a pause', () => {
    const s = { resolutionDueAt: local('2025-01-17T15:00'), pausedAt: local('2025-01-17T16:00') };
    expect(resumeSla(desk, s, local('2025-01-20T11:00')).resolutionDueAt).toEqual(local('2025-01-17T15:00'));
  });
});
