import type { SpikeObservation, SpikeWindow } from '../core/ports/spike-window.port.js';
import type { RedisClient } from './connection.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

/** Most recent tickets compared with a new one (bounds the script's work). */
export const SPIKE_SCAN_MAX = 500;

// KEYS: recent (zset id→ms), signatures (hash id→"t1 t2 …"), taken (hash id→ms)
// ARGV: (unused) windowMs ticketId signature minSimilarity threshold scanMax
// Drops what left the window, records the ticket, compares it with the recent ones not yet taken
// (Dice coefficient over the term sets), and when enough are similar takes them all and returns
// them oldest first. Timed by the Redis clock (replicas' clocks do not matter). One script: atomic on a single Redis and within one Cluster slot.
const OBSERVE = `
local t0 = redis.call('TIME')
local now = tonumber(t0[1]) * 1000 + math.floor(tonumber(t0[2]) / 1000)
local since = now - tonumber(ARGV[2])
local id = ARGV[3]
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. since)
for i = 1, #old do
  redis.call('HDEL', KEYS[2], old[i])
  redis.call('HDEL', KEYS[3], old[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. since)
if redis.call('ZSCORE', KEYS[1], id) then return {} end
redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, ARGV[4])
local ttl = tonumber(ARGV[2]) + 60000
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
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
  if other ~= id and redis.call('HEXISTS', KEYS[3], other) == 0 then
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
      if m > 0 and (2 * shared) / (n + m) >= min then similar[#similar + 1] = other end
    end
  end
end
if #similar + 1 < tonumber(ARGV[6]) then return {} end
local out = {}
for i = #similar, 1, -1 do
  out[#out + 1] = similar[i]
  redis.call('HSET', KEYS[3], similar[i], now)
end
out[#out + 1] = id
redis.call('HSET', KEYS[3], id, now)
return out
`;

/** Longest signature stored per ticket (terms are the analyzer's stems: short words). */
const SIGNATURE_MAX_CHARS = 2_000;

/** {@link SpikeWindow} in Redis: a sorted set and two hashes per desk, under the jobs prefix. */
export class RedisSpikeWindow implements SpikeWindow {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  private keys(deskId: string): [string, string, string] {
    return [helperKey(this.prefix, 'spike', deskId, 'recent'), helperKey(this.prefix, 'spike', deskId, 'sig'), helperKey(this.prefix, 'spike', deskId, 'taken')];
  }

  async observe(o: SpikeObservation): Promise<string[] | null> {
    const sig = o.signature.filter((t) => t && !t.includes(' ')).join(' ').slice(0, SIGNATURE_MAX_CHARS);
    const r = (await runScript(this.redis, OBSERVE, 3, ...this.keys(o.deskId), 0, Math.round(o.windowMs), o.ticketId, sig, o.minSimilarity, o.threshold, SPIKE_SCAN_MAX)) as string[];
    return r.length ? r : null;
  }

  async forget(deskId: string, ticketIds: readonly string[]): Promise<void> {
    if (!ticketIds.length) return;
    const [, , taken] = this.keys(deskId);
    const now = String(Date.now());
    await this.redis.hset(taken, ...ticketIds.flatMap((id) => [id, now]));
  }
}
