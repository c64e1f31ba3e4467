/**
 * Switches of kb/search.ts `MODE` from the command line, shared by the KB quality benches:
 * `--no-real-word-gate` (typo-correct dictionary words again, as before the sixth session),
 * `--no-inflections` (a dictionary word gets no typo candidates at all, not even another form of it),
 * `--real-word-min N` (shortest word the gate applies to);
 * seventh session (typos): `--typo-transpositions` / `--no-typo-transpositions` (a swap of neighbouring
 * letters is one edit), `--typo-three` / `--no-typo-three` (a 3-letter word may reach a 4-letter one),
 * `--real-word-neighbours` / `--no-real-word-neighbours` (soft gate: a dictionary word may reach a heading
 * word one edit away), `--real-word-neighbour-weight W`, `--typo-both-stems` / `--no-typo-both-stems` (a
 * correction reaches the corrected word's English and Spanish stems), `--typo-importance` /
 * `--no-typo-importance` (a typo-corrected word is not capped as a dictionary-only word);
 * `--no-typo-pass`: the four switches of the seventh session's typo pass off (transpositions, three letters,
 * real-word neighbours, both stems), i.e. the sixth session's search.
 * `--no-role-features`: the seventh session's role features off and the fifth session's calibration (the search before h-neg);
 * `--threshold T`: the default calibration's first-slot threshold.
 * eighth session: `--typo-loose` / `--no-typo-loose` (a non-dictionary word with no close correction may reach a
 * heading word two edits away), `--digit-names` / `--no-digit-names` (`1password` is a name, not a code),
 * `--no-lead-single-clause` (a multi-clause message keeps its leading word, with `CLAUSE_CALIBRATION`: the search before it).
 * ninth session (h-chat3): `--no-clause-hyphen-joins` (a hyphen between two words cuts a clause again: the search before),
 * ninth session (h-typo2): `--typo-loose-context off|article|passage` (a loose correction needs another query word in the
 * same article / passage), `--typo-loose-share S` (…and at least this share of the other words' importance), `--typo-loose-weight W`.
 * tenth session (h-chat4): `--unknown-long N [F]` (in a message of N+ query words an unknown word weighs F of its usual importance; measured, off), `--no-unknown-long`.
 * tenth session (the lead): `--eighth-calibration` (the calibration before the six-set refit; with the glossary of bd758a1: the search before).
 * `--hand-lang-markers`: tell a query's language by the hand-written markers alone (as before the seventh session).
 */
import { LANG_DETECT } from '../kb/analyze.js';
import { CLAUSE_CALIBRATION, DEFAULT_CALIBRATION, EIGHTH_CALIBRATION, FIFTH_CALIBRATION, SEVENTH_CALIBRATION } from '../kb/calibration.js';
import { MODE } from '../kb/search.js';

export function applyModeArgs(argv: readonly string[]): void {
  if (argv.includes('--no-real-word-gate')) MODE.realWordsNotTypos = false;
  if (argv.includes('--no-inflections')) MODE.realWordInflections = false;
  if (argv.includes('--hand-lang-markers')) LANG_DETECT.stopLists = false;
  const i = argv.indexOf('--real-word-min');
  if (i > 0) MODE.realWordMinLength = Number(argv[i + 1]);
  const j = argv.indexOf('--real-word-neighbour-weight');
  if (j > 0) MODE.realWordNeighbourWeight = Number(argv[j + 1]);
  const lc = argv.indexOf('--typo-loose-context');
  if (lc > 0) MODE.typoLooseContext = argv[lc + 1] as typeof MODE.typoLooseContext;
  const ls = argv.indexOf('--typo-loose-share');
  if (ls > 0) MODE.typoLooseShare = Number(argv[ls + 1]);
  const lw = argv.indexOf('--typo-loose-weight');
  if (lw > 0) MODE.typoLooseWeight = Number(argv[lw + 1]);
  const flag = (name: string, key: 'typoTranspositions' | 'typoThreeLetters' | 'realWordNeighbours' | 'typoBothStems' | 'typoImportance' | 'typoLoose' | 'digitNames'): void => {
    if (argv.includes(`--${name}`)) MODE[key] = true;
    if (argv.includes(`--no-${name}`)) MODE[key] = false;
  };
  flag('typo-transpositions', 'typoTranspositions');
  flag('typo-three', 'typoThreeLetters');
  flag('real-word-neighbours', 'realWordNeighbours');
  flag('typo-both-stems', 'typoBothStems');
  flag('typo-importance', 'typoImportance');
  flag('typo-loose', 'typoLoose');
  flag('digit-names', 'digitNames');
  // Seventh session (h-neg): the role features off and the calibration fitted without them (the search before).
  if (argv.includes('--no-role-features')) {
    MODE.roleFeatures = false;
    Object.assign(DEFAULT_CALIBRATION, { ...FIFTH_CALIBRATION, weights: { ...FIFTH_CALIBRATION.weights } });
  }
  // Eighth session (the lead): a multi-clause message keeps its leading word, with the calibration fitted so (the search before).
  if (argv.includes('--no-lead-single-clause')) {
    MODE.leadSingleClause = false;
    Object.assign(DEFAULT_CALIBRATION, { ...CLAUSE_CALIBRATION, weights: { ...CLAUSE_CALIBRATION.weights } });
  }
  // Tenth session (the lead): the calibration before the six-set refit.
  if (argv.includes('--eighth-calibration')) Object.assign(DEFAULT_CALIBRATION, { ...EIGHTH_CALIBRATION, weights: { ...EIGHTH_CALIBRATION.weights } });
  applyChatArgs(argv);
  // Last, so that it applies to whichever calibration the flags above put in place.
  const th = argv.indexOf('--threshold');
  if (th > 0) DEFAULT_CALIBRATION.threshold = Number(argv[th + 1]);
  if (argv.includes('--no-typo-pass')) Object.assign(MODE, { typoTranspositions: false, typoThreeLetters: false, realWordNeighbours: false, typoBothStems: false });
}

/**
 * Eighth session (h-chat): `--unknown-length-ref N` (kb/search.ts `MODE.unknownLengthRef`), `--clause` (`MODE.clauseFeature`),
 * `--clause-no-conjunctions`, `--no-clause` (the clause feature off and the seventh session's calibration: the search before h-chat).
 */
export function applyChatArgs(argv: readonly string[]): void {
  const u = argv.indexOf('--unknown-length-ref');
  if (u > 0) MODE.unknownLengthRef = Number(argv[u + 1]);
  if (argv.includes('--clause')) MODE.clauseFeature = true;
  // The search before h-chat: no clause feature, the seventh session's calibration.
  if (argv.includes('--no-clause')) {
    MODE.clauseFeature = false;
    Object.assign(DEFAULT_CALIBRATION, { ...SEVENTH_CALIBRATION, weights: { ...SEVENTH_CALIBRATION.weights } });
  }
  if (argv.includes('--clause-no-conjunctions')) MODE.clauseConjunctions = false;
  if (argv.includes('--clause-hyphen-joins')) MODE.clauseHyphenJoins = true;
  if (argv.includes('--no-clause-hyphen-joins')) MODE.clauseHyphenJoins = false;
  // Tenth session (h-chat4): `--unknown-long N [F]` (in a message of N+ query words an unknown word weighs F of its
  // usual importance; `MODE.unknownLongUnits` / `unknownLongFactor`, measured and off by default), `--no-unknown-long` (off).
  const ul = argv.indexOf('--unknown-long');
  if (ul > 0) {
    MODE.unknownLongUnits = Number(argv[ul + 1]);
    const f = Number(argv[ul + 2]);
    if (Number.isFinite(f)) MODE.unknownLongFactor = f;
  }
  if (argv.includes('--no-unknown-long')) MODE.unknownLongUnits = 0;
}
