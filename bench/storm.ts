/**
 * Ticket-storm benchmark (issue 12): open-loop signed `/help` slash commands at fixed rates against
 * the real runtime (startHelpdesk, role `all`, the default local services: FerretDB and redis-server
 * with AOF started in a temp data dir) and a fake Slack Web API, beside a bare Bolt App acking the
 * same stream in the same run. Loopback only; bounded count and time.
 *
 * Per rate: ack latency p50/p99 (request sent → HTTP 200) for the project and for bare Bolt; then the
 * drain: requests answered per second (each answer follows its stored ticket) from the end of the
 * burst until every acknowledged request is answered (or DRAIN_TIMEOUT_S passes).
 *
 * MODES (default `split,single`): `split` is `npm start` as shipped (role all, the worker role in a
 * child process of lower priority, HELPDESK_WORKER_PROCESS=on); `single` runs every role in one
 * process (HELPDESK_WORKER_PROCESS=off). Each mode gets its own runtime and data dir.
 *
 *   npx tsx bench/storm.ts
 *   RATES=100,250 STEP_SECONDS=3 npx tsx bench/storm.ts
 *   MODES=split RATES=500 npx tsx bench/storm.ts
 *   HELPDESK_FERRETDB_POSTGRESQL_URL=postgres://… npx tsx bench/storm.ts   # FerretDB on PostgreSQL
 *   PROFILE_DIR=/tmp/prof MODES=single RATES=100 npx tsx bench/storm.ts     # V8 CPU profile of the runtime
 *   COUNT_DIR=/tmp/cmds MODES=split RATES=100 npx tsx bench/storm.ts        # + MongoDB and Redis commands per answered request
 *   INTAKE_REDIS=own MODES=split npx tsx bench/storm.ts                     # the intake on a second redis-server (INTAKE_REDIS_URL)
 * Each row also gives the CPU ms per answered request of the runtime's process tree by program
 * (node, ferretdb, postgres, redis): comparable between runs on a loaded machine, unlike the rates.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { signSlackRequest } from '../adapters/slack/slack.verify.js';
import { SlackApiFake } from '../tests/fakes/slack-api.fake.js';
import { startRuntimeChild } from '../tests/support/runtime-child.js';
import { cpuDelta, treeCpu } from './proc-cpu.js';
import { startRedis } from '../app/services/redis.js';
import { diagPreload, fsyncProbe, pct, readDiag, redisDiag } from './storm-diag.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RATES = (process.env.RATES ?? '100,250,500,1000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.STEP_SECONDS ?? 5);
const DRAIN_TIMEOUT_S = Number(process.env.DRAIN_TIMEOUT_S ?? 60);
const SECRET = 'bench-secret';
const MODES = (process.env.MODES ?? 'split,single').split(',').map((m) => m.trim());

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

/** A preload that profiles a node process from start to exit (`--cpu-prof` is refused in NODE_OPTIONS). */
function profilerPreload(dir: string): string {
  const file = path.join(dir, 'profile-preload.mjs');
  writeFileSync(
    file,
    `import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
const s = new inspector.Session();
s.connect();
s.post('Profiler.enable');
s.post('Profiler.setSamplingInterval', { interval: 1000 });
s.post('Profiler.start');
process.on('exit', () => s.post('Profiler.stop', (err, r) => { if (!err) writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.cpuprofile', JSON.stringify(r.profile)); }));
`,
  );
  return file;
}
/**
 * A preload that counts the MongoDB commands (by command and collection) and Redis commands (by
 * name; BullMQ's scripts by script name) a node process sends, written to `<dir>/<pid>.json` twice a
 * second: the bench sums them over the runtime's processes per step.
 */
function countingPreload(dir: string): string {
  const file = path.join(dir, 'count-preload.mjs');
  writeFileSync(
    file,
    `import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(path.resolve(here, '../package.json'))});
const counts = {};
const add = (k) => { counts[k] = (counts[k] ?? 0) + 1; };
const { Connection } = require(path.join(path.dirname(require.resolve('mongodb')), 'cmap/connection.js'));
const command = Connection.prototype.command;
Connection.prototype.command = function (ns, cmd, ...rest) {
  const name = Object.keys(cmd)[0];
  if (!['hello', 'isMaster', 'ismaster', 'ping', 'endSessions'].includes(name)) add('mongo ' + name + ' ' + (typeof cmd[name] === 'string' ? cmd[name] : ''));
  if (process.env.COUNT_STACKS && cmd[name] === process.env.COUNT_STACKS) add('stack ' + name + ' ' + (new Error().stack ?? '').split('\\n').filter((l) => l.includes('/work/') && !l.includes('node_modules')).slice(0, 4).map((l) => l.trim().replace(/.*\\/(drain|main)\\//, '')).join(' < '));
  return command.call(this, ns, cmd, ...rest);
};
const Redis = require('ioredis').default ?? require('ioredis');
const scripts = new Map();
const define = Redis.prototype.defineCommand;
Redis.prototype.defineCommand = function (name, def) {
  scripts.set(createHash('sha1').update(def.lua).digest('hex'), name);
  return define.call(this, name, def);
};
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (c, ...rest) {
  const lua = c.name === 'eval' ? String(c.args[0]) : '';
  // Scripts sent by EVAL are named by their first line, and known by that name when later run by SHA1.
  if (lua) scripts.set(createHash('sha1').update(lua).digest('hex'), 'lua ' + (lua.split('\\n').map((l) => l.trim()).find((l) => l && !l.startsWith('--')) ?? '').slice(0, 50));
  const n = c.name === 'evalsha' ? (c.args[0] && scripts.has(String(c.args[0])) ? 'evalsha ' : 'evalsha ') + (scripts.get(String(c.args[0])) ?? String(c.args[0]).slice(0, 8)) : lua ? 'eval ' + scripts.get(createHash('sha1').update(lua).digest('hex')) : c.name;
  if (!['info', 'client', 'ping'].includes(n)) add('redis ' + n);
  return send.call(this, c, ...rest);
};
const flush = () => writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.json', JSON.stringify(counts));
setInterval(flush, 500).unref();
process.on('exit', flush);
`,
  );
  return file;
}
/** Commands counted so far by every process that wrote to `dir`. */
function readCounts(dir: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!dir) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    try {
      for (const [k, v] of Object.entries(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, number>)) out.set(k, (out.get(k) ?? 0) + v);
    } catch {
      /* being written */
    }
  }
  return out;
}

/** Sends `rate`/s for STEP_SECONDS open loop (sends are scheduled, never wait for answers). */
async function burst(url: string, rate: number, tag: string, fake: SlackApiFake, counter: { n: number }): Promise<{ lat: number[]; errors: number; sent: number }> {
  const count = Math.round(rate * STEP_SECONDS);
  const lat: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const n = ++counter.n;
    const body = new URLSearchParams({
      token: 'x', team_id: 'T0000000', team_domain: 'bench', channel_id: 'CGENERAL', channel_name: 'general', user_id: `UB${n}`, user_name: `user${n}`,
      command: '/help', text: `the zorbl frobnicator on floor ${n} emits purple smoke`, api_app_id: 'A1',
      response_url: fake.responseUrl(`${tag}${n}`), trigger_id: `${tag}.${n}.${Date.now()}`,
    }).toString();
    const t0 = performance.now();
    inflight.push(
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) errors += 1;
          else lat.push(performance.now() - t0);
        },
        () => void (errors += 1),
      ),
    );
  }
  await Promise.all(inflight);
  return { lat, errors, sent: count };
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'storm-bench-'));
  const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  const deskFile = path.join(tmp, 'desks.yaml');
  writeFileSync(deskFile, readFileSync(path.resolve(here, '../helpdesk.example.yaml'), 'utf8'));

  // Bare Bolt: the same receiver, a listener that only acks.
  const receiver = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
  const bare = new App({ token: 'xoxb-bare', receiver, botId: 'BBOT', botUserId: 'UBOT', logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: fake.apiUrl } });
  bare.command('/help', async ({ ack }) => ack());
  const bareServer = createServer(receiver.requestListener);
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`;

  const counter = { n: 0 };
  const rows: Array<Record<string, string | number>> = [];
  for (const mode of MODES) {
    if (mode !== 'split' && mode !== 'single') throw new Error(`MODES: unknown mode ${mode} (split or single)`);
    // The project: the real runtime (`node --import tsx app/main.ts`, role all) in its own process with
    // the default local services in a temp data dir, so the load generator and bare Bolt (here) do not
    // share its event loop.
    // INTAKE_REDIS=own: inbound requests recorded on a redis-server of their own (AOF, fsync always, same
    // disk), started here: its CPU is not in the runtime tree's columns below.
    const ownIntake = process.env.INTAKE_REDIS === 'own' ? await startRedis({ dataDir: path.join(tmp, `intake-${mode}`) }) : undefined;
    const child = await startRuntimeChild({
      ...(ownIntake ? { INTAKE_REDIS_URL: ownIntake.url } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      HELPDESK_CONFIG: deskFile,
      HELPDESK_DATA_DIR: path.join(tmp, `data-${mode}`),
      HELPDESK_WORKER_PROCESS: mode === 'split' ? 'on' : 'off',
      ...(process.env.COUNT_STACKS ? { COUNT_STACKS: process.env.COUNT_STACKS } : {}),
      SLACK_BOT_TOKEN: 'xoxb-bench',
      // Not under test here (and another run may hold the default SMTP port).
      EMAIL: 'off',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      ...(process.env.HELPDESK_FERRETDB_POSTGRESQL_URL ? { HELPDESK_FERRETDB_POSTGRESQL_URL: process.env.HELPDESK_FERRETDB_POSTGRESQL_URL } : {}),
      ...(process.env.HELPDESK_INTAKE_CONCURRENCY ? { HELPDESK_INTAKE_CONCURRENCY: process.env.HELPDESK_INTAKE_CONCURRENCY } : {}),
      ...(process.env.HELPDESK_WORKER_NICE ? { HELPDESK_WORKER_NICE: process.env.HELPDESK_WORKER_NICE } : {}),
      // PROFILE_DIR=/tmp/x: V8 CPU profiles of the runtime's node processes, written when they exit.
      // DIAG_DIR=/tmp/x: where each acknowledgement's time goes, per step (bench/storm-diag.ts).
      ...(process.env.PROFILE_DIR || process.env.COUNT_DIR || process.env.DIAG_DIR
        ? {
            NODE_OPTIONS: [
              ...(process.env.DIAG_DIR ? [`--import=${diagPreload(process.env.DIAG_DIR, path.resolve(here, '../package.json'))}`] : []),
              ...(process.env.PROFILE_DIR ? [`--import=${profilerPreload(process.env.PROFILE_DIR)}`] : []),
              ...(process.env.COUNT_DIR ? [`--import=${countingPreload(process.env.COUNT_DIR)}`] : []),
            ].join(' '),
          }
        : {}),
    }, 180_000);
    const url = `http://127.0.0.1:${child.port}/slack/events`;
    const redisDiagUrl = process.env.DIAG_DIR ? (ownIntake?.url ?? /"url":"(redis:\/\/[^"]+)"/.exec(child.output())?.[1]) : undefined;
    if (redisDiagUrl) console.log(await redisDiag(redisDiagUrl, 0, 0), '\n' + (await fsyncProbe(tmp)));
    // Every stored ticket answers its requester ("received IT-…" or suggestions) through its
    // response_url, after it is stored: answers per second measure the drain from outside.
    const answered = (tag: string) => new Set(fake.responses.filter((r) => r.id.startsWith(tag)).map((r) => r.id)).size;
    for (const rate of RATES) {
      const b = await burst(bareUrl, rate, 'bare', fake, counter);
      const tag = `hd${mode}${rate}-`;
      const cpu0 = treeCpu(child.child.pid!);
      const cmd0 = readCounts(process.env.COUNT_DIR);
      const w0 = Date.now();
      const genDelay = monitorEventLoopDelay({ resolution: 1 });
      genDelay.enable();
      const p = await burst(url, rate, tag, fake, counter);
      genDelay.disable();
      const w1 = Date.now();
      const acked = p.sent - p.errors;
      const atEnd = answered(tag);
      const t0 = performance.now();
      let stored = atEnd;
      while (stored < acked && performance.now() - t0 < DRAIN_TIMEOUT_S * 1000) {
        await new Promise((r) => setTimeout(r, 200));
        stored = answered(tag);
      }
      const drainS = (performance.now() - t0) / 1000;
      const cpu = cpuDelta(cpu0, treeCpu(child.child.pid!));
      if (process.env.COUNT_DIR && stored > 0) {
        await new Promise((r) => setTimeout(r, 600)); // the processes' next write of their counts
        const cmd1 = readCounts(process.env.COUNT_DIR);
        const per = [...cmd1].map(([k, v]) => [k, (v - (cmd0.get(k) ?? 0)) / stored] as const).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]);
        const sum = (prefix: string) => per.filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
        console.log(`commands per answered request at ${rate}/s (${stored} answered): mongo ${sum('mongo').toFixed(1)}, redis ${sum('redis').toFixed(1)}`);
        console.table(per.map(([command, v]) => ({ command, per_request: v.toFixed(2) })));
      }
      if (process.env.DIAG_DIR) {
        await new Promise((r) => setTimeout(r, 1100)); // the processes' next write
        console.log(`where the acks' time went at ${rate}/s (burst ${w0}–${w1}); load generator's event-loop delay p99 ${(genDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(genDelay.max / 1e6).toFixed(1)} ms`);
        console.table(readDiag(process.env.DIAG_DIR, w0, w1));
        if (redisDiagUrl) console.log(await redisDiag(redisDiagUrl, w0, w1, process.env.DIAG_DIR));
      }
      const cpuPerTicket = (k: string) => (stored > 0 && cpu[k] !== undefined ? ((cpu[k]! * 1000) / stored).toFixed(1) : '–');
      rows.push({
        mode,
        rate,
        sent: p.sent,
        acked,
        ack_p50_ms: f1(pct(p.lat, 50)),
        ack_p99_ms: f1(pct(p.lat, 99)),
        bare_p50_ms: f1(pct(b.lat, 50)),
        bare_p99_ms: f1(pct(b.lat, 99)),
        answered_at_burst_end: atEnd,
        answered: stored,
        drain_s: drainS.toFixed(1),
        drain_per_s: drainS > 0.05 ? ((stored - atEnd) / drainS).toFixed(1) : '–',
        // CPU ms per answered request, by program (runtime tree only; includes the acks).
        cpu_ms_node: cpuPerTicket('node'),
        cpu_ms_ferretdb: cpuPerTicket('ferretdb'),
        cpu_ms_postgres: cpuPerTicket('postgres'),
        cpu_ms_redis: cpuPerTicket('redis'),
        load: os.loadavg()[0]!.toFixed(1),
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
    child.child.kill('SIGTERM'); // the runtime alone: it stops its worker child and local services in order
    await child.exited;
    await ownIntake?.stop();
  }
  console.table(rows);
  bareServer.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
