/**
 * Long-text benchmark: the core cut (`clipText`) and each platform renderer on texts of 10k, 100k
 * and 1M characters, plain and adversarial (only `<`, only `&`, only emoji, no spaces, ``` fences).
 * Prints the median time per size and the ratio 100k/10k and 1M/100k: linear code shows ≈10×.
 * Bounded: a few repetitions per case, loopback nothing, no I/O.
 *
 *   npx tsx bench/long-text.ts
 */
import { performance } from 'node:perf_hooks';
import { renderView as renderDiscord } from '../adapters/discord/discord.renderer.js';
import { renderView as renderSlack } from '../adapters/slack/slack.renderer.js';
import { renderActivity } from '../adapters/teams/teams.renderer.js';
import { STORED_TEXT_MAX, clipText, jsonPayloadWeight } from '../core/views/text-limits.js';
import type { View } from '../core/views/view.js';

const SIZES = [10_000, 100_000, 1_000_000];
const INPUTS: Record<string, (n: number) => string> = {
  words: (n) => 'lorem ipsum dolor sit amet '.repeat(n / 27 + 1).slice(0, n),
  'only <': (n) => '<'.repeat(n),
  'only &': (n) => '&'.repeat(n),
  emoji: (n) => '😀'.repeat(n / 2),
  'no spaces': (n) => 'x'.repeat(n),
  fences: (n) => '```a\n'.repeat(n / 5),
};
const relay = (text: string): View => ({ kind: 'relay', fallback: `Bob: ${text}`, text, author: 'Bob' });
const CASES: Record<string, (s: string) => unknown> = {
  'clipText (stored max)': (s) => clipText(s, STORED_TEXT_MAX, '[truncated]'),
  'clipText (Teams bytes)': (s) => clipText(s, 24_000, '[truncated]', jsonPayloadWeight),
  'Slack renderView': (s) => renderSlack(relay(s)),
  'Discord renderView': (s) => renderDiscord(relay(s)),
  'Teams renderActivity': (s) => renderActivity(relay(s)),
};

function median(fn: () => unknown, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

console.log(`case | input | ${SIZES.map((n) => `${n / 1000}k ms`).join(' | ')} | ×(100k/10k) | ×(1M/100k)`);
for (const [name, run] of Object.entries(CASES)) {
  for (const [kind, make] of Object.entries(INPUTS)) {
    const texts = SIZES.map(make);
    for (const t of texts) run(t); // warm up
    const ms = texts.map((t, i) => median(() => run(t), i === 2 ? 5 : 11));
    const r = (a: number, b: number) => (a / Math.max(b, 0.001)).toFixed(1);
    console.log(`${name} | ${kind} | ${ms.map((m) => m.toFixed(2)).join(' | ')} | ${r(ms[1]!, ms[0]!)} | ${r(ms[2]!, ms[1]!)}`);
  }
}
