import type { Queue } from 'bullmq';
import type { SpikeObservation, SpikeObserved, SpikeRenders, SpikeWindow } from '../core/ports/spike-window.port.js';
import type { RedisClient } from './connection.js';
import { safeId, type AutomationJob } from './names.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

/** Most recent tickets compared with a new one (bounds the script's work). */
export const SPIKE_SCAN_MAX = 500;

// KEYS: recent (zset id→ms), signatures (hash id→"t1 t2 …"), taken (hash id→"s:<spike's first ticket id>",
//       or "-" once linked to an incident), spikes (hash "<first id>:due"→ms of the spike's latest card render)
// ARGV: (unused) windowMs ticketId signature minSimilarity threshold scanMax debounceMs everyMs
// Drops what left the window, records the ticket, compares it (Dice coefficient over the term sets)
// with the most recent ones, newest first. Similar to a ticket an open spike took: the ticket joins
// that spike, returns {'join', first id, ms until a render or -1, the render's time}: at most one render is
// handed out per `everyMs` (the first join after the last render schedules the next). Else, when
// enough not-taken ones are similar, takes them all and returns {'new', ids oldest first}. Timed by
// the Redis clock (replicas' clocks do not matter). One script: atomic on a single Redis and within
// one Cluster slot (the four keys share the jobs prefix's hash tag, as every helper key).
const OBSERVE = `
local t0 = redis.call('TIME')
local now = tonumber(t0[1]) * 1000 + math.floor(tonumber(t0[2]) / 1000)
local since = now - tonumber(ARGV[2])
local id = ARGV[3]
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. since)
for i = 1, #old do
  redis.call('HDEL', KEYS[2], old[i])
  redis.call('HDEL', KEYS[3], old[i])
  redis.call('HDEL', KEYS[4], old[i] .. ':due')
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. since)
if redis.call('ZSCORE', KEYS[1], id) then return {} end
redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, ARGV[4])
local ttl = tonumber(ARGV[2]) + 60000
for k = 1, 4 do redis.call('PEXPIRE', KEYS[k], ttl) end
local mine = {}
local n = 0
for t in string.gmatch(ARGV[4], '%S+') do
  if not mine[t] then mine[t] = true; n = n + 1 end
end
if n == 0 then return {} end
local min = tonumber(ARGV[5])
local similar = {}
local recent = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', since, 'LIMIT', 0, tonumber(ARGV[7]))
for i = 1, #recent do
  local other = recent[i]
  local taken = redis.call('HGET', KEYS[3], other)
  local joins = taken and string.sub(taken, 1, 2) == 's:'
  if other ~= id and (joins or not taken) then
    local sig = redis.call('HGET', KEYS[2], other)
    if sig then
      local seen = {}
      local m = 0
      local shared = 0
      for t in string.gmatch(sig, '%S+') do
        if not seen[t] then
          seen[t] = true
          m = m + 1
          if mine[t] then shared = shared + 1 end
        end
      end
      if m > 0 and (2 * shared) / (n + m) >= min then
        if joins then
          local sp = string.sub(taken, 3)
          redis.call('HSET', KEYS[3], id, taken)
          local due = tonumber(redis.call('HGET', KEYS[4], sp .. ':due') or '0')
          if due > now then return {'join', sp, '-1', '0'} end
          local at = math.max(now + tonumber(ARGV[8]), due + tonumber(ARGV[9]))
          redis.call('HSET', KEYS[4], sp .. ':due', at)
          return {'join', sp, tostring(at - now), tostring(at)}
        end
        similar[#similar + 1] = other
      end
    end
  end
end
if #similar + 1 < tonumber(ARGV[6]) then return {} end
local first = similar[#similar]
local mark = 's:' .. first
local out = {'new'}
for i = #similar, 1, -1 do
  out[#out + 1] = similar[i]
  redis.call('HSET', KEYS[3], similar[i], mark)
end
out[#out + 1] = id
redis.call('HSET', KEYS[3], id, mark)
redis.call('HSET', KEYS[4], first .. ':due', now)
return out
`;

/** Longest signature stored per ticket (terms are the analyzer's stems: short words). */
const SIGNATURE_MAX_CHARS = 2_000;

/** How often a spike's card is re-rendered while tickets join it (platform edits per storm stay few). */
export interface SpikeRenderTiming {
  /** Joins arriving within this share one render. @defaultValue 2000 */
  debounceMs?: number;
  /** At most one render per this period per spike. @defaultValue 5000 */
  everyMs?: number;
}

/** {@link SpikeWindow} in Redis: a sorted set and three hashes per desk, under the jobs prefix. */
export class RedisSpikeWindow implements SpikeWindow {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly render: SpikeRenderTiming = {},
  ) {}

  private keys(deskId: string): [string, string, string, string] {
    const k = (name: string) => helperKey(this.prefix, 'spike', deskId, name);
    return [k('recent'), k('sig'), k('taken'), k('spikes')];
  }

  async observe(o: SpikeObservation): Promise<SpikeObserved | null> {
    const sig = o.signature.filter((t) => t && !t.includes(' ')).join(' ').slice(0, SIGNATURE_MAX_CHARS);
    const r = (await runScript(this.redis, OBSERVE, 4, ...this.keys(o.deskId), 0, Math.round(o.windowMs), o.ticketId, sig, o.minSimilarity, o.threshold, SPIKE_SCAN_MAX, this.render.debounceMs ?? 2_000, this.render.everyMs ?? 5_000)) as string[];
    if (r[0] === 'new') return { kind: 'new', ticketIds: r.slice(1) };
    if (r[0] !== 'join') return null;
    const inMs = Number(r[2]);
    return { kind: 'join', firstTicketId: r[1]!, ...(inMs >= 0 ? { renderInMs: inMs, renderAt: Number(r[3]) } : {}) };
  }

  async forget(deskId: string, ticketIds: readonly string[]): Promise<void> {
    if (!ticketIds.length) return;
    const [, , taken] = this.keys(deskId);
    await this.redis.hset(taken, ...ticketIds.flatMap((id) => [id, '-']));
  }
}

/**
 * {@link SpikeRenders} as delayed automation jobs: one per spike and render version (the job id), so
 * a replayed join queues nothing twice, and the edit survives the replica that queued it.
 */
export class QueueSpikeRenders implements SpikeRenders {
  constructor(private readonly queue: Queue<AutomationJob>) {}

  async later(spikeId: string, delayMs: number, version: number): Promise<void> {
    const data: AutomationJob = { kind: 'spike_render', spikeId, version };
    await this.queue.add(data.kind, data, { jobId: safeId('spike', spikeId, version), delay: Math.max(0, Math.round(delayMs)) });
  }
}
