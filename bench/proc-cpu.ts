import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by the process tree under `root` (Linux /proc), by program (`comm`; every
 * `redis-…` counted as `redis`): each live process's own time plus that of the children it has
 * reaped (exited PostgreSQL backends), so the difference over a phase is what the process and its
 * services spent on it — unlike wall-clock rates, comparable on a shared, loaded machine.
 * Empty where /proc is missing. (The same reading as bench/storm.ts.)
 */
export function treeCpu(root: number): Map<string, number> {
  const out = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((d) => d >= '0' && d <= '9~');
  } catch {
    return out;
  }
  const procs = new Map<number, { ppid: number; comm: string; cpu: number }>();
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // After the comm: state ppid … utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
      procs.set(Number(d), { ppid: Number(f[1]), comm, cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
    } catch {
      /* exited meanwhile */
    }
  }
  const inTree = (pid: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, p] of procs) {
    if (!inTree(pid)) continue;
    const k = p.comm.startsWith('redis') ? 'redis' : p.comm;
    out.set(k, (out.get(k) ?? 0) + p.cpu);
  }
  return out;
}

/** CPU seconds by program spent between two `treeCpu` readings. */
export function cpuDelta(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of b) d[k] = v - (a.get(k) ?? 0);
  return d;
}

/** Total `calls` of Redis `INFO commandstats`, and per command. */
export function redisCalls(info: string): { total: number; by: Map<string, number> } {
  const by = new Map<string, number>();
  let total = 0;
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (!m) continue;
    by.set(m[1]!, Number(m[2]));
    total += Number(m[2]);
  }
  return { total, by };
}
