import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeDay, encodeEntry, entriesOf, entryOf, factOf, mergeEntries } from '../../core/store/report-days.store.js';

const snapshot = {
  ticketId: 't1', deskId: 'it', v: 3, number: 'IT-1', createdAt: new Date('2026-11-16T08:00:00.123Z'), day: '2026-11-16', channel: 'slack',
  category: '', priority: 'P2' as const, status: 'resolved' as const, routed: true, frBms: 60_000, resBms: 120_000,
  resolvedAt: new Date('2026-11-16T10:00:00Z'), frBreached: true, paused: false, sa: ['vpn-reset'], csat: 4, csatComment: 'ok "quoted" \u2713 \\ </b>', assignee: 'ana',
};

describe('report_days: a day of entries as one stored string', () => {
  it('round-trip: every field, instants as Dates, flags with their versions, claimers and tiers', () => {
    const e = mergeEntries(entryOf({ snapshot, flags: { firstResponder: 'ana', kbGap: 'none', q: 'vpn drops' } }), entryOf({ snapshot: { ...snapshot, v: 4 }, flags: { claimer: 'ben', escTier: 2 } }));
    expect(JSON.stringify(encodeEntry(e)).length).toBeLessThan(JSON.stringify(e).length * 0.8);
    const back = decodeEntry(encodeEntry(e));
    expect(back).toEqual(e);
    expect(back.s.createdAt).toBeInstanceOf(Date);
    const day = entriesOf({ b: encodeDay([['t1', e]]) });
    expect([...day.keys()]).toEqual(['t1']);
    expect(factOf(day.get('t1')!)).toEqual(factOf(e));
  });

  it('reads entry documents an earlier version wrote (`f`) beside the string, merged once; keeps fields it does not know', () => {
    const old = entryOf({ snapshot, flags: { resolver: 'ana' } });
    const newer = entryOf({ snapshot: { ...snapshot, v: 5, status: 'closed' }, flags: { reopened: true } });
    const both = entriesOf({ f: { t1: old }, b: encodeDay([['t1', mergeEntries(old, newer)], ['t2', newer]]) });
    expect(both.get('t1')).toEqual(mergeEntries(old, newer));
    expect(both.size).toBe(2);
    const later = { ...old, s: { ...old.s, someNewField: 7 } };
    expect(decodeEntry(encodeEntry(later as never))).toEqual(later);
  });

  it('a merge over a stored entry is the merge over the original (a newer snapshot with paused: false still wins)', () => {
    const a = entryOf({ snapshot: { ...snapshot, paused: true, v: 2 }, flags: {} });
    const b = entryOf({ snapshot, flags: { reopened: true } });
    expect(mergeEntries(decodeEntry(encodeEntry(a)), b)).toEqual(mergeEntries(a, b));
    expect(factOf(mergeEntries(decodeEntry(encodeEntry(a)), b)).paused).toBe(false);
  });
});

describe('report_days on the real store: concurrent writes into one day string lose nothing', () => {
  it('300 tickets of one day, each written 3 times (versions 1..3) by two writers at once, each version out of order for one of them: every ticket at its newest version', { timeout: 120_000 }, async () => {
    const { freshDb } = await import('../support/services.js');
    const { ReportDays } = await import('../../core/store/report-days.store.js');
    const db = await freshDb();
    try {
      const a = new ReportDays(db.connection);
      const b = new ReportDays(db.connection);
      const writes = Array.from({ length: 300 }, (_, i) =>
        [1, 2, 3].map((v) => ({
          snapshot: { ...snapshot, ticketId: `t${i}`, number: `IT-${i}`, v, status: v === 3 ? ('closed' as const) : ('claimed' as const), csat: v },
          flags: v === 2 ? { claimer: i % 2 ? 'ana' : 'ben' } : v === 3 ? { resolver: 'ana' } : {},
        })),
      ).flat();
      // Every write twice (a replay by a second writer, each chunk reversed), in chunks arriving while
      // earlier writes of the same day are in flight: each writer's day string is read and rewritten many times.
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < writes.length; i += 30) {
        const chunk = writes.slice(i, i + 30);
        pending.push(...chunk.map((w) => a.record(w)), ...[...chunk].reverse().map((w) => b.record(w)));
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(pending);
      const facts = await a.facts('it', '2026-11-16', '2026-11-16');
      expect(facts).toHaveLength(300);
      for (const f of facts) {
        expect(f.status).toBe('closed');
        expect(f.csat).toBe(3);
        expect(f.resolver).toBe('ana');
        expect(f.claimers).toEqual([Number(f.number.slice(3)) % 2 ? 'ana' : 'ben']);
      }
    } finally {
      await db.drop();
    }
  });
});
