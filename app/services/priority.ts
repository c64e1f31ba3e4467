import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Lowers the scheduling priority of process `root` and every process under it to `nice` (never
 * raises one already lower), thread by thread: on Linux `setpriority(PRIO_PROCESS, pid)` changes
 * one thread only, so a Go program's (FerretDB's) existing threads would keep the old value.
 * Threads and processes created afterwards inherit it (PostgreSQL's backends are forked from the
 * postmaster). Returns the number of threads changed; does nothing where /proc is missing.
 */
export function lowerTreePriority(root: number, nice: number): number {
  const children = new Map<number, number[]>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); // processes, not /proc/self, /proc/sys…
  } catch {
    return 0;
  }
  for (const d of pids) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* exited meanwhile */
    }
  }
  let changed = 0;
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    todo.push(...(children.get(pid) ?? []));
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        if (os.getPriority(Number(tid)) >= nice) continue;
        os.setPriority(Number(tid), nice);
        changed++;
      } catch {
        /* exited meanwhile, or not ours to change */
      }
    }
  }
  return changed;
}
