import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoMetricsStore } from '../../core/store/metrics-rollup.model.js';
import { summarizeRollups } from '../../core/use-cases/desk-report.js';
import { freshDb } from '../support/services.js';

let db: Awaited<ReturnType<typeof freshDb>>;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => db.drop());

describe('desk report', () => {
  it('summarises rollups: deflection, mean times, CSAT and volume', async () => {
    const store = new MongoMetricsStore(db.connection);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await store.increment('it', yesterday, { opened: 4, selfServed: 1, routed: 3, firstResponseCount: 2, firstResponseMsSum: 2 * 60_000 * 15 });
    await store.increment('it', today, { opened: 6, selfServed: 3, routed: 3, resolved: 2, resolutionCount: 2, resolutionMsSum: 2 * 60_000 * 90, csatCount: 2, csatSum: 9 });
    await store.increment('hr', today, { opened: 100 });
    const r = summarizeRollups('it', yesterday, today, await store.read('it', yesterday, today));
    expect(r).toMatchObject({ opened: 10, selfServed: 4, deflectionRate: 0.4, routed: 6, resolved: 2, meanFirstResponseMinutes: 15, meanResolutionMinutes: 90, csatCount: 2, csatMean: 4.5 });
    expect(r.perDay).toEqual([{ day: yesterday, opened: 4, resolved: 0 }, { day: today, opened: 6, resolved: 2 }]);
    expect(summarizeRollups('x', today, today, [])).toMatchObject({ opened: 0, deflectionRate: null, csatMean: null });

    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/run.ts', 'report', '--desk', 'it', '--days', '2', '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, MONGODB_URI: db.uri },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toMatchObject({ deskId: 'it', opened: 10, csatMean: 4.5 });
  });
});
