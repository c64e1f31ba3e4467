import { describe, expect, it } from 'vitest';
import { pauseSla, resumeSla, retargetSla, slaDeadlines } from '../../core/domain/sla.js';
import { testDesk } from '../support/fixtures.js';

const hours = { timezone: 'Europe/Madrid', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } as never, holidays: [] };
const desk = testDesk({ businessHours: hours });
const at = (iso: string) => new Date(iso);

describe('priority change moves running deadlines by the target difference', () => {
  it('P3 → P1 shortens both targets in business time', () => {
    // Monday 10:00 Madrid (09:00Z). P3: 240 min response → 14:00; 1440 min (3 business days) resolution.
    const sla = slaDeadlines(desk, 'P3', at('2026-11-23T09:00:00Z'));
    expect(sla.firstResponseDueAt).toEqual(at('2026-11-23T13:00:00Z'));
    const p1 = retargetSla(desk, sla, 'P3', 'P1'); // 15 min response, 240 min resolution
    expect(p1.firstResponseDueAt).toEqual(at('2026-11-23T09:15:00Z'));
    expect(p1.resolutionDueAt).toEqual(at('2026-11-23T13:00:00Z'));
    expect(retargetSla(desk, p1, 'P1', 'P3')).toEqual(sla); // and back
  });

  it('keeps time added by a pause', () => {
    const sla = slaDeadlines(desk, 'P3', at('2026-11-23T09:00:00Z'));
    // Paused for one business hour (Mon 11:00–12:00 Madrid), then resumed.
    const resumed = resumeSla(desk, pauseSla(sla, at('2026-11-23T10:00:00Z')), at('2026-11-23T11:00:00Z'));
    expect(resumed.firstResponseDueAt).toEqual(at('2026-11-23T14:00:00Z'));
    const p2 = retargetSla(desk, resumed, 'P3', 'P2'); // 60 min instead of 240: 3 business hours earlier
    expect(p2.firstResponseDueAt).toEqual(at('2026-11-23T11:00:00Z'));
  });

  it('leaves met or breached targets alone', () => {
    const sla = { ...slaDeadlines(desk, 'P3', at('2026-11-23T09:00:00Z')), firstRespondedAt: at('2026-11-23T09:05:00Z'), resolutionBreachedAt: at('2026-11-26T09:00:00Z') };
    expect(retargetSla(desk, sla, 'P3', 'P1')).toEqual(sla);
  });
});
