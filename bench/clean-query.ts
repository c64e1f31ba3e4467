/**
 * Query cleaning on adversarial input, before and after the fix of issue 10. "Before" is the
 * acknowledgement pattern as it was (one regular expression whose alternatives overlap under `+`),
 * timed in this run on `'is fixed '.repeat(n) + 'x'`: each repetition doubles the time. "After" is
 * `cleanQuery` as it is now on the same inputs and on 100k characters.
 *
 *   npx tsx bench/clean-query.ts [--max-n 22]
 */
import { cleanQuery } from '../kb/clean-query.js';

const at = process.argv.indexOf('--max-n');
const maxN = at > 0 ? Number(process.argv[at + 1]) : 22;

// The pre-fix pattern, kept only to measure the fix against. Lint rejects it anywhere else.
// eslint-disable-next-line redos/no-vulnerable
const BEFORE = /^(?:(?:thanks?|thank\s+you|thx|ty|cheers|great|perfect|awesome|cool|nice|ok(?:ay)?|yes|yep|sure|got\s+it|that|this|it|all|now|(?:has\s+|is\s+)?(?:fixed|solved|resolved|sorted|working|works|worked)|muchas|gracias|genial|perfecto|vale|listo|ya|eso|esto|todo|est[aá]|is|(?:lo\s+)?(?:funciona|arreglado|solucionado|resuelto)|me\s+sirvi[oó]|sirvi[oó])[\s,!.:;¡-]*)+$/i;

const input = (n: number): string => `${'is fixed '.repeat(n)}x`;

/** Lowest wall time of `runs` calls, in milliseconds. */
function best(f: () => unknown, runs: number): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

console.log('| input | characters | before (one regex) | after (`cleanQuery`) |');
console.log('|---|---:|---:|---:|');
cleanQuery(input(100));
for (let n = 14; n <= maxN; n += 2) {
  const s = input(n);
  const collapsed = s.replace(/\s+/g, ' ').trim();
  const before = best(() => BEFORE.test(collapsed), n >= 20 ? 1 : 3);
  const after = best(() => cleanQuery(s), 5);
  console.log(`| \`'is fixed ' × ${n} + 'x'\` | ${s.length} | ${before.toFixed(1)} ms | ${after.toFixed(3)} ms |`);
}
for (const chars of [10_000, 100_000]) {
  const s = input(Math.ceil(chars / 9)).slice(-chars);
  console.log(`| \`'is fixed ' …\` | ${s.length} | not run (doubles per repetition) | ${best(() => cleanQuery(s), 5).toFixed(2)} ms |`);
}
