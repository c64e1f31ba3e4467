/**
 * The benchmarks, listed and run. Each one prints its own baseline measured in the same run.
 *
 *   npm run bench                  # every benchmark in its short mode (a few minutes in all)
 *   npm run bench -- --list        # what there is, with the full-mode commands
 *   npm run bench -- kb-search     # one benchmark, full mode; extra arguments are passed on
 *   npm run bench -- --short sla-timers
 *
 * Short modes bound sizes, rates and durations; the figures in README and docs/ come from the full
 * modes. Tools that are not benchmarks (calibration fitting, diagnostics) are listed but not run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Bench {
  file: string;
  what: string;
  /** Arguments and environment for the short mode. */
  short: { args?: string[]; env?: Record<string, string> };
  /** Listed only; `npm run bench -- <name>` still runs it. */
  tool?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The KB development set sits next to the checkout (`../shared/kb-dev`) or is given with `--kb`. */
const devSet = [join(process.cwd(), '..', 'shared', 'kb-dev'), join(process.cwd(), '..', '..', 'shared', 'kb-dev')].find(existsSync);

const BENCHES: Record<string, Bench> = {
  'clean-query': {
    file: 'clean-query.ts',
    what: 'query cleaning on adversarial input: the pre-fix pattern (exponential) vs cleanQuery (linear)',
    short: { args: ['--max-n', '20'] },
  },
  'kb-search': {
    file: 'kb-search.ts',
    what: 'KB quality on the development set and latency at scale, vs plain fuse.js',
    short: { args: ['--sizes', '1000', '--baseline-budget-ms', '2000', ...(devSet ? ['--kb', devSet] : [])] },
  },
  'slack-ack': {
    file: 'slack-ack.ts',
    what: 'Slack /help acknowledgement latency at rising request rates, vs signature-check-only requests',
    short: { env: { RATES: '10,50', STEP_SECONDS: '2' } },
  },
  'sla-timers': {
    file: 'sla-timers.ts',
    what: 'SLA breach lateness and escalations per second, vs no-op BullMQ delayed jobs',
    short: { env: { TICKETS: '100', WINDOW_SECONDS: '5', LEAD_SECONDS: '3', MAX_SECONDS: '60' } },
  },
  'incident-fanout': {
    file: 'incident-fanout.ts',
    what: 'an incident with 2,000 linked requesters on Slack, Teams and Discord fakes resolved: all told once, vs the rate limits\' minimum and no-op posts',
    short: { env: { REQUESTERS: '150' } },
  },
  reports: {
    file: 'reports.ts',
    what: '30-day desk report from ticket facts on 100,000 stored tickets, vs a naive full scan',
    short: { env: { TICKETS: '5000', RUNS: '3', NAIVE_RUNS: '1' } },
  },
  'kb-search-calibrate': {
    file: 'kb-search-calibrate.ts',
    what: 'fits the KB score calibration and cross-fits it over the two labelled sets (tool)',
    short: {},
    tool: true,
  },
  'kb-search-diag': {
    file: 'kb-search-diag.ts',
    what: 'lists KB misses and answered negatives with their features (tool)',
    short: {},
    tool: true,
  },
};

function run(name: string, b: Bench, short: boolean, extra: string[]): boolean {
  const args = [...(short ? (b.short.args ?? []) : []), ...extra];
  const env = { ...process.env, ...(short ? b.short.env : {}) };
  const shown = [...Object.entries(short ? (b.short.env ?? {}) : {}).map(([k, v]) => `${k}=${v}`), 'npx tsx', `bench/${b.file}`, ...args].join(' ');
  console.log(`\n### ${name}${short ? ' (short mode)' : ''}\n\`${shown}\`\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, b.file), ...args], { stdio: 'inherit', env });
  const ok = r.status === 0;
  console.log(`\n${name}: ${ok ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return ok;
}

const argv = process.argv.slice(2);
if (argv.includes('--list')) {
  for (const [name, b] of Object.entries(BENCHES)) console.log(`${name.padEnd(20)} ${b.what}\n${' '.repeat(21)}npx tsx bench/${b.file}`);
  process.exit(0);
}
const short = argv.includes('--short');
const [name, ...extra] = argv.filter((a) => a !== '--short');
if (name) {
  const b = BENCHES[name];
  if (!b) {
    console.error(`bench: no benchmark "${name}"; there are: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  process.exit(run(name, b, short, extra) ? 0 : 1);
}
const failed = Object.entries(BENCHES)
  .filter(([, b]) => !b.tool)
  .filter(([n, b]) => !run(n, b, true, []))
  .map(([n]) => n);
console.log(failed.length ? `\nfailed: ${failed.join(', ')}` : '\nall benchmarks ran');
process.exit(failed.length ? 1 : 0);
