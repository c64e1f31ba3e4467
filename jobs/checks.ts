import net from 'node:net';
import type { Queue } from 'bullmq';
import { alertJobId, type AlertRecorder } from '../adapters/alerts/alert-recorder.js';
import type { CheckDefinition } from '../core/domain/alert.js';
import type { RedisClient } from './connection.js';
import { checkSchedulerId, type AlertsJob } from './alerts.queue.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** Why it failed (status, timeout, refused…), or the status when it passed. */
  detail: string;
}

/** One try of a check: an HTTP(S) GET (status and latency) or a TCP connect, bounded by its timeout. */
export async function probe(def: CheckDefinition): Promise<ProbeResult> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  if (def.kind === 'tcp') {
    return new Promise((resolve) => {
      const sock = net.connect({ host: def.host, port: def.port });
      const done = (ok: boolean, detail: string) => {
        sock.destroy();
        resolve({ ok, latencyMs: ms(), detail });
      };
      sock.setTimeout(def.timeoutMs, () => done(false, `no connection within ${def.timeoutMs} ms`));
      sock.once('connect', () => done(true, 'connected'));
      sock.once('error', (e: NodeJS.ErrnoException) => done(false, e.code ?? e.message));
    });
  }
  try {
    const res = await fetch(def.url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(def.timeoutMs), headers: { 'user-agent': 'helpdesk-check/1' } });
    await res.body?.cancel().catch(() => {});
    const latencyMs = ms();
    const okStatus = def.expectStatus?.length ? def.expectStatus.includes(res.status) : res.status >= 200 && res.status < 400;
    if (!okStatus) return { ok: false, latencyMs, detail: `HTTP ${res.status}` };
    if (def.maxLatencyMs !== undefined && latencyMs > def.maxLatencyMs) return { ok: false, latencyMs, detail: `slow: ${latencyMs} ms (limit ${def.maxLatencyMs} ms)` };
    return { ok: true, latencyMs, detail: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const detail = err.name === 'TimeoutError' ? `no answer within ${def.timeoutMs} ms` : (err.cause?.code ?? err.message);
    return { ok: false, latencyMs: ms(), detail: detail.slice(0, 200) };
  }
}

/**
 * Counts a result into the check's state (Redis hash, atomically): returns the check's current
 * alert state and the sequence number of its last transition. A check goes `down` after
 * `failuresBeforeAlert` consecutive failures and back up after `recoveriesBeforeResolve` successes.
 */
const COUNT = `
local down = tonumber(redis.call('hget', KEYS[1], 'down') or '0')
if ARGV[1] == '1' then
  redis.call('hset', KEYS[1], 'fails', 0)
  local oks = redis.call('hincrby', KEYS[1], 'oks', 1)
  if down == 1 and oks >= tonumber(ARGV[3]) then
    redis.call('hset', KEYS[1], 'down', 0)
    down = 0
    redis.call('hincrby', KEYS[1], 'seq', 1)
  end
else
  redis.call('hset', KEYS[1], 'oks', 0)
  local fails = redis.call('hincrby', KEYS[1], 'fails', 1)
  if down == 0 and fails >= tonumber(ARGV[2]) then
    redis.call('hset', KEYS[1], 'down', 1)
    down = 1
    redis.call('hincrby', KEYS[1], 'seq', 1)
  end
end
redis.call('hset', KEYS[1], 'detail', ARGV[4])
return {down, tonumber(redis.call('hget', KEYS[1], 'seq') or '0')}
`;

export const checkStateKey = (prefix: string, checkId: string): string => helperKey(prefix, 'check', checkId);

/**
 * Runs a check once and records its alert transition. The last transition's alert is recorded on
 * every run under a deterministic job id (`check-<id>`, status, transition number): a run that
 * crashed between counting and recording is completed by the next one, and repeats are no-ops.
 */
export async function runCheck(def: CheckDefinition, redis: RedisClient, prefix: string, recorder: AlertRecorder): Promise<ProbeResult & { down: boolean; seq: number }> {
  const r = await probe(def);
  const [down, seq] = (await runScript(redis, COUNT, 1, checkStateKey(prefix, def.id), r.ok ? '1' : '0', def.failuresBeforeAlert, def.recoveriesBeforeResolve, r.detail)) as [number, number];
  if (seq > 0) {
    const status = down === 1 ? 'firing' : 'resolved';
    await recorder.record([
      {
        id: alertJobId('check', def.id, status, seq),
        alert: {
          source: 'check',
          fingerprint: `check:${def.id}`,
          service: def.service,
          title: def.title ?? `${def.service}: check ${def.id} is failing`,
          ...(def.severity ? { severity: def.severity } : {}),
          status,
          description: `${def.kind === 'http' ? def.url : `${def.host}:${def.port}`} — ${r.detail}`,
          at: new Date(),
        },
      },
    ]);
  }
  return { ...r, down: down === 1, seq };
}

/**
 * One BullMQ job scheduler per check (`every` its interval): however many worker processes upsert
 * them, each check runs once per interval. Schedulers of checks no longer in the desk file are removed.
 */
export async function upsertCheckSchedulers(queue: Queue<AlertsJob>, checks: readonly CheckDefinition[]): Promise<void> {
  const wanted = new Set<string>();
  for (const c of checks) {
    const id = checkSchedulerId(c.id);
    wanted.add(id);
    await queue.upsertJobScheduler(id, { every: c.intervalSeconds * 1000 }, { name: 'check', data: { kind: 'check', checkId: c.id }, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
  }
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    if (id?.startsWith('check-') && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
}
