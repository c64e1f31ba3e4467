/**
 * Switches of kb/search.ts `MODE` from the command line, shared by the KB quality benches:
 * `--no-real-word-gate` (typo-correct dictionary words again, as before the sixth session),
 * `--no-inflections` (a dictionary word gets no typo candidates at all, not even another form of it),
 * `--real-word-min N` (shortest word the gate applies to),
 * `--hand-lang-markers` (tell a query's language by the hand-written markers alone, as before the seventh session).
 */
import { LANG_DETECT } from '../kb/analyze.js';
import { MODE } from '../kb/search.js';

export function applyModeArgs(argv: readonly string[]): void {
  if (argv.includes('--no-real-word-gate')) MODE.realWordsNotTypos = false;
  if (argv.includes('--no-inflections')) MODE.realWordInflections = false;
  if (argv.includes('--hand-lang-markers')) LANG_DETECT.stopLists = false;
  const i = argv.indexOf('--real-word-min');
  if (i > 0) MODE.realWordMinLength = Number(argv[i + 1]);
}
