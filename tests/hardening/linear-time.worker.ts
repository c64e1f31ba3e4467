/**
 * Times every entry point on every adversarial input at two sizes, in a worker thread so that the
 * test can stop it (`terminate()`) when something does not finish: synchronous super-linear code
 * cannot be interrupted on the thread that runs it. Messages, per pair: `start`, then `large`
 * before each large run (the deadline for it), then `result`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { adversarial, ENTRY_POINTS, FRAGMENTS } from './text-entry-points.js';

export interface Job {
  small: number;
  large: number;
  maxRatio: number;
  floorMs: number;
  /** Measurement rounds at least, and at most while the ratio is over `maxRatio`. */
  minRounds: number;
  maxRounds: number;
  /** A large run may take this long at least before the parent stops the worker. */
  minDeadlineMs: number;
  only: Array<[entry: string, fragment: string]>;
}

const job = workerData as Job;
const port = parentPort!;

/**
 * Mean CPU time (ms) of `reps` consecutive calls. CPU time rather than wall time: with more runnable
 * processes than cores (CI, or the shared machine this was written on) wall time mostly measures
 * the scheduler. It is the process's, which includes the garbage collector's helper threads.
 */
function time(fn: (s: string) => unknown, input: string, reps: number): number {
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn(input);
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000 / reps;
}

const reps = Math.round(job.large / job.small);

for (const [entry, fragment] of job.only) {
  const fn = ENTRY_POINTS[entry]!;
  const small = adversarial(FRAGMENTS[fragment]!, job.small);
  const large = adversarial(FRAGMENTS[fragment]!, job.large);
  port.postMessage({ start: { entry, fragment } });
  try {
    fn(small.slice(0, 1000)); // warm-up: compile the patterns and the code paths
    // Ten calls on the small input do the same work, and make the same garbage, as one call on the
    // large one. Rounds alternate small and large so that both see the same machine load; the
    // minimum of each is kept (noise only ever adds time), and a ratio over the bound is measured
    // again, a few more rounds, before it counts.
    let tSmall = Infinity;
    let tLarge = Infinity;
    for (let round = 1; round <= job.maxRounds; round++) {
      tSmall = Math.min(tSmall, time(fn, small, reps));
      // The parent stops this worker when a large run overstays several times the allowed ratio:
      // a quadratic case would otherwise spend seconds per run confirming what is already clear.
      port.postMessage({ large: { small: tSmall, deadlineMs: Math.max(job.minDeadlineMs, 3 * job.maxRatio * Math.max(tSmall, job.floorMs)) } });
      tLarge = Math.min(tLarge, time(fn, large, 1));
      if (round >= job.minRounds && tLarge / Math.max(tSmall, job.floorMs) < job.maxRatio) break;
    }
    port.postMessage({ result: { entry, fragment, small: tSmall, large: tLarge } });
  } catch (err) {
    // Hostile text must not make an entry point throw either.
    port.postMessage({ result: { entry, fragment, small: NaN, large: NaN, error: String(err) } });
  }
}
port.postMessage({ done: true });
