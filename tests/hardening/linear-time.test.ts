/**
 * Issue 10: one 361-character `/help` froze the process (exponential backtracking in query
 * cleaning). Every entry point that user text passes through gets adversarial inputs of 10k and
 * 100k characters; ten times the input must cost less than twenty times the time. ESLint rejects
 * super-linear regular expressions statically; this catches what a linter cannot see (hand-written
 * loops, library calls, patterns built at run time) and proves the fixes on real inputs.
 *
 * The timings (CPU time, alternating sizes, the minimum of several rounds: see the worker) run in a
 * worker thread that is terminated when a run overstays, so a regression fails this test with the
 * input's name, in seconds, instead of hanging the run.
 */
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS, FRAGMENTS } from './text-entry-points.js';
import type { Job } from './linear-time.worker.js';

const SMALL = 10_000;
const LARGE = 100_000;
/** Allowed growth of the time for 10× the input: linear is ≈10×, quadratic ≈100×. */
const MAX_RATIO = 20;
/**
 * Per-call times under this are treated as this: below it, what dominates is not the algorithm but
 * the garbage collector (a 100k-character call's temporary arrays outlive a young-generation
 * collection that a 10k one's do not). Quadratic code is far above it at 10k characters
 * (≈5·10⁷ steps, tens of milliseconds), so it hides nothing: with this floor a function passes
 * whenever 100k characters take under 40 ms. It was 0.25 ms until a clean-clone CI run (fourth
 * session) failed seven functions at 21–51× that are linear from 100k on (0.1–1 ms → 5–25 ms: the
 * large side's GC; `parseHelpCommand` 2 / 14 / 69 / 186 ms and Slack's renderView 1 / 24 / 120 / 446 ms
 * at 10k / 100k / 400k / 1M characters).
 */
const FLOOR_MS = 2;
/** Warm-up plus the small runs taking longer than this is a stall (linear code needs milliseconds). */
const STALL_MS = 5_000;

type Pair = [entry: string, fragment: string];
interface Outcome {
  small: number;
  large: number;
  error?: string;
  /** The large run was stopped after this many milliseconds. */
  stoppedAfter?: number;
  stalled?: boolean;
}

const key = (entry: string, fragment: string): string => `${entry} | ${fragment}`;
const ratio = (t: Outcome): number => t.large / Math.max(t.small, FLOOR_MS);

/**
 * Runs the worker over `pairs`. A run that overstays is recorded, the worker terminated, and the
 * rest continue in a new one, skipping that entry point's other inputs (one overstay is enough).
 */
async function measure(pairs: Pair[]): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const failedEntries = new Set<string>();
  let remaining = pairs;
  while (remaining.length) {
    let current: Pair | undefined;
    let small = NaN;
    await new Promise<void>((resolve, reject) => {
      const job: Job = { small: SMALL, large: LARGE, maxRatio: MAX_RATIO, floorMs: FLOOR_MS, minRounds: 1, maxRounds: 12, minDeadlineMs: 2_000, only: remaining };
      const w = new Worker(new URL('./linear-time.worker-boot.mjs', import.meta.url), { workerData: job });
      let timer: NodeJS.Timeout | undefined;
      // After stop() the worker may still deliver messages it sent before terminating: ignore them.
      let live = true;
      const stop = (): void => {
        live = false;
        clearTimeout(timer);
        void w.terminate().then(() => resolve());
      };
      const arm = (ms: number, onFire: () => void): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (!live) return;
          onFire();
          stop();
        }, ms);
      };
      const record = (o: Outcome): void => {
        const [entry, fragment] = current!;
        out.set(key(entry, fragment), o);
        // Only the expensive failures skip the entry's other inputs; a ratio is re-measured later.
        if (o.stalled || o.stoppedAfter) failedEntries.add(entry);
        current = undefined;
      };
      w.on('message', (m: { start?: { entry: string; fragment: string }; large?: { small: number; deadlineMs: number }; result?: Outcome; done?: boolean }) => {
        if (!live) return;
        if (m.start) {
          current = [m.start.entry, m.start.fragment];
          if (failedEntries.has(m.start.entry)) return stop();
          arm(STALL_MS, () => record({ small: NaN, large: NaN, stalled: true }));
        }
        if (m.large) {
          small = m.large.small;
          const deadline = m.large.deadlineMs;
          arm(deadline, () => record({ small, large: NaN, stoppedAfter: deadline }));
        }
        if (m.result) {
          clearTimeout(timer);
          record(m.result);
        }
        if (m.done) stop();
      });
      w.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    remaining = remaining.filter(([e, f]) => !out.has(key(e, f)) && !failedEntries.has(e));
  }
  return out;
}

const allPairs: Pair[] = Object.keys(ENTRY_POINTS).flatMap((e) => Object.keys(FRAGMENTS).map((f): Pair => [e, f]));
let outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  outcomes = await measure(allPairs);
  // LT_DEBUG=1 prints the highest ratios (to see how much margin the bound has on this machine).
  if (process.env.LT_DEBUG) {
    const rows = [...outcomes].map(([k, t]) => `${ratio(t).toFixed(1).padStart(6)}×  ${t.small.toFixed(3)} → ${t.large.toFixed(3)} ms  ${k}`);
    console.log(rows.sort().reverse().slice(0, 25).join('\n'));
  }
}, 300_000);

describe('every text entry point is linear in its input (10k vs 100k characters)', () => {
  it.each(Object.keys(ENTRY_POINTS))('%s', (entry) => {
    const problems: string[] = [];
    for (const fragment of Object.keys(FRAGMENTS)) {
      const t = outcomes.get(key(entry, fragment));
      const what = JSON.stringify(FRAGMENTS[fragment]);
      if (!t) continue; // skipped after this entry point's first failure (listed below)
      if (t.error) problems.push(`${what}: threw ${t.error}`);
      else if (t.stalled) problems.push(`${what}: 10k characters did not finish within ${STALL_MS / 1000} s`);
      else if (t.stoppedAfter) problems.push(`${what}: ${t.small.toFixed(2)} ms at 10k, stopped after ${t.stoppedAfter.toFixed(0)} ms at 100k`);
      else if (ratio(t) >= MAX_RATIO) problems.push(`${what}: ${t.small.toFixed(2)} ms at 10k, ${t.large.toFixed(2)} ms at 100k (${ratio(t).toFixed(0)}×)`);
    }
    const measured = Object.keys(FRAGMENTS).filter((f) => outcomes.has(key(entry, f))).length;
    expect(problems).toEqual([]);
    expect(measured).toBe(Object.keys(FRAGMENTS).length);
  });
});

describe('the measurement itself', () => {
  it('tells a quadratic function from a linear one', () => {
    // What the pre-fix Slack reference pattern did on unclosed `<@`: every start scans to the end.
    const quadratic = (s: string): number => {
      let steps = 0;
      for (let i = 0; i < s.length; i++) if (s[i] === '<') for (let j = i; j < s.length && s[j] !== '>'; j++) steps++;
      return steps;
    };
    const time = (n: number): number => {
      const input = '<@'.repeat(n / 2);
      let min = Infinity;
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        quadratic(input);
        min = Math.min(min, performance.now() - t);
      }
      return min;
    };
    // 2k vs 20k here: the same 10× step, at sizes where quadratic code still finishes quickly and the
    // small side is about the floor (≈10⁶ steps), as a real quadratic entry point's 10k side is above it.
    time(2_000);
    expect(time(20_000) / Math.max(time(2_000), FLOOR_MS)).toBeGreaterThan(MAX_RATIO);
  });
});
