/**
 * Where an acknowledgement's time goes (bench/storm.ts with DIAG_DIR=…): a preload for the runtime's
 * node processes that records, with wall-clock timestamps, the event-loop delay (per 100 ms), GC
 * pauses, each HTTP request's time inside the server (headers parsed → response finished), each
 * Redis command's round trip as the acknowledging process sees it, and the main thread's run-queue wait
 * (/proc/self/task/<tid>/schedstat: time the kernel had it ready but gave the CPU to someone else).
 * The bench reads them back per step window; it also asks Redis for its SLOWLOG and LATENCY events.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function diagPreload(dir: string, packageJson: string): string {
  const file = path.join(dir, 'diag-preload.mjs');
  writeFileSync(
    file,
    `import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import dc from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(packageJson)});
const now = () => performance.timeOrigin + performance.now();
const d = { role: process.env.HELPDESK_ROLE ?? 'all', eld: [], gc: [], http: [], redis: [], sched: [], scripts: {} };
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const sched = () => { try { const [run, wait] = readFileSync('/proc/self/task/' + process.pid + '/schedstat', 'utf8').split(' ').map(Number); return [run / 1e6, wait / 1e6]; } catch { return [0, 0]; } };
setInterval(() => {
  d.eld.push([Math.round(now()), h.percentile(50) / 1e6, h.percentile(99) / 1e6, h.max / 1e6]);
  h.reset();
  d.sched.push([Math.round(now()), ...sched()]);
}, 100).unref();
new PerformanceObserver((l) => { for (const e of l.getEntries()) d.gc.push([Math.round(performance.timeOrigin + e.startTime), e.duration, e.detail?.kind ?? 0]); }).observe({ entryTypes: ['gc'] });
const starts = new WeakMap();
dc.subscribe('http.server.request.start', ({ request }) => starts.set(request, now()));
dc.subscribe('http.server.response.finish', ({ request }) => { const s = starts.get(request); if (s) d.http.push([Math.round(s), now() - s]); });
const Redis = require('ioredis').default ?? require('ioredis');
const define = Redis.prototype.defineCommand;
Redis.prototype.defineCommand = function (name, def) {
  d.scripts[createHash('sha1').update(def.lua).digest('hex')] = name;
  return define.call(this, name, def);
};
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (c, ...rest) {
  const t = now();
  const name = c.name === 'evalsha' ? 'evalsha ' + (d.scripts[String(c.args[0])] ?? String(c.args[0]).slice(0, 8)) : c.name === 'eval' ? 'eval' : c.name;
  // Only the acknowledging process's commands (the worker sends ~40 per request: rewriting them all every second would cost it).
  if (d.role !== 'worker' && !['bzpopmin', 'brpoplpush', 'blmove', 'xread', 'xreadgroup', 'subscribe', 'psubscribe'].includes(c.name)) c.promise.then(() => d.redis.push([Math.round(t), name, now() - t]), () => {});
  return send.call(this, c, ...rest);
};
const flush = () => writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.diag.json', JSON.stringify(d));
setInterval(flush, 1000).unref();
process.on('exit', flush);
`,
  );
  return file;
}

interface Diag {
  role: string;
  eld: Array<[number, number, number, number]>;
  gc: Array<[number, number, number]>;
  http: Array<[number, number]>;
  redis: Array<[number, string, number]>;
  sched: Array<[number, number, number]>;
}

/** The p-th percentile of `xs` (nearest rank). */
export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : '–');

/** What each runtime process recorded between `from` and `to` (epoch ms), summarised. */
export function readDiag(dir: string, from: number, to: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.diag.json'))) {
    let d: Diag;
    try {
      d = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Diag;
    } catch {
      continue;
    }
    const inW = (t: number) => t >= from && t <= to;
    const eld = d.eld.filter(([t]) => inW(t));
    const gc = d.gc.filter(([t]) => inW(t));
    const http = d.http.filter(([t]) => inW(t)).map(([, ms]) => ms);
    const sched = d.sched.filter(([t]) => inW(t));
    const byCmd = new Map<string, number[]>();
    for (const [t, name, ms] of d.redis) if (inW(t)) byCmd.set(name, [...(byCmd.get(name) ?? []), ms]);
    const top = [...byCmd].sort((a, b) => b[1].length - a[1].length).slice(0, 6);
    const s0 = sched[0];
    const s1 = sched.at(-1);
    out.push({
      pid: f.split('.')[0],
      role: d.role,
      eld_p99_of_100ms_max: r1(pct(eld.map((e) => e[3]), 99)),
      eld_max: r1(Math.max(0, ...eld.map((e) => e[3]))),
      eld_100ms_windows_over_20ms: eld.filter((e) => e[3] > 20).length + '/' + eld.length,
      gc_n: gc.length,
      gc_ms_total: r1(gc.reduce((a, g) => a + g[1], 0)),
      gc_max: r1(Math.max(0, ...gc.map((g) => g[1]))),
      http_n: http.length,
      http_p50: r1(pct(http, 50)),
      http_p99: r1(pct(http, 99)),
      cpu_ms: s0 && s1 ? r1(s1[1] - s0[1]) : '–',
      runqueue_wait_ms: s0 && s1 ? r1(s1[2] - s0[2]) : '–',
      redis: top.map(([k, v]) => `${k} n=${v.length} p50=${r1(pct(v, 50))} p99=${r1(pct(v, 99))}`).join('; '),
    });
  }
  return out;
}

/**
 * Redis's own view of a step: commands slower than 1 ms inside Redis (SLOWLOG, by command or script
 * sha) and latency events over 1 ms (LATENCY HISTORY: `command`, `fast-command`, `aof-fsync-always`,
 * `aof-write`…), each counted within [from, to]. The thresholds are set at the first call.
 */
export async function redisDiag(url: string, from: number, to: number, dir?: string): Promise<string> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    if (!armed.has(url)) {
      armed.add(url);
      await r.config('SET', 'slowlog-log-slower-than', '1000');
      await r.config('SET', 'slowlog-max-len', '100000');
      await r.config('SET', 'latency-monitor-threshold', '1');
      await r.slowlog('RESET');
      await r.latency('RESET');
      return 'redis diagnostics armed (from the next step on)';
    }
    const inW = (sec: number) => sec * 1000 >= from - 1000 && sec * 1000 <= to + 1000;
    const slow = ((await r.slowlog('GET', '-1')) as Array<[number, number, number, string[]]>).filter((e) => inW(e[1]));
    const byCmd = new Map<string, number[]>();
    const names = scriptNames(dir);
    for (const [, , us, args] of slow) {
      const k = args[0]?.toLowerCase() === 'evalsha' ? `evalsha ${names.get(String(args[1])) ?? String(args[1]).slice(0, 8)}` : String(args[0]);
      byCmd.set(k, [...(byCmd.get(k) ?? []), us / 1000]);
    }
    const lines = [...byCmd].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).map(([k, v]) => `  slowlog ${k}: n=${v.length} total=${r1(v.reduce((a, b) => a + b, 0))} ms max=${r1(Math.max(...v))} ms`);
    const latest = (await r.latency('LATEST')) as Array<[string, number, number, number]>;
    for (const [event] of latest) {
      const hist = ((await r.call('LATENCY', 'HISTORY', event)) as Array<[number, number]>).filter(([t]) => inW(t));
      if (hist.length) lines.push(`  latency ${event}: ${hist.length} seconds with a spike, max=${Math.max(...hist.map((h) => h[1]))} ms, spikes ${hist.map((h) => h[1]).join(',')}`);
    }
    const info = await r.info('commandstats');
    const scripts = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
    if (scripts) lines.push(`  evalsha since start: ${scripts[1]} calls, ${r1(Number(scripts[2]) / Number(scripts[1]))} µs per call`);
    await r.slowlog('RESET');
    await r.latency('RESET');
    return `redis in the burst window:\n${lines.join('\n') || '  nothing over 1 ms'}`;
  } finally {
    r.disconnect();
  }
}
const armed = new Set<string>();

/** Script sha1 → BullMQ's name for it, from the processes' diagnostics. */
function scriptNames(dir: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!dir) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.diag.json'))) {
    try {
      for (const [k, v] of Object.entries((JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { scripts: Record<string, string> }).scripts)) out.set(k, v);
    } catch {
      /* being written */
    }
  }
  return out;
}

/**
 * The disk's fsync latency where the runtime keeps its data (Redis's AOF with `appendfsync always`
 * fsyncs once per event-loop turn that wrote, and every acknowledgement waits for one): `n` appends
 * of 300 bytes, each followed by fdatasync, 10 ms apart.
 */
export async function fsyncProbe(dir: string, n = 300): Promise<string> {
  const { openSync, writeSync, fdatasyncSync, closeSync, rmSync } = await import('node:fs');
  const file = path.join(dir, 'fsync-probe');
  const fd = openSync(file, 'a');
  const ms: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, 'x'.repeat(300));
      const t = performance.now();
      fdatasyncSync(fd);
      ms.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return `fsync of an appended file in ${dir}: p50 ${r1(pct(ms, 50))} ms, p90 ${r1(pct(ms, 90))} ms, p99 ${r1(pct(ms, 99))} ms, max ${r1(Math.max(...ms))} ms (${n} appends)`;
}
