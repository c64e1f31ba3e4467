/**
 * Chat robustness on the fitting sets: every answerable query of kb-dev, kb-holdout and kb-fit3 that is not
 * already chat-style is wrapped the way people write in chat (greeting, apology, context, thanks; in
 * the query's language), and recall@3 plain vs wrapped is reported. The wrappers are generic templates
 * written for this test, not taken from any evaluation set; kb-unseen is not used.
 *
 *   npx tsx bench/kb-chat-wrap.ts [--dev ../shared/kb-dev] [--held] [--per] [--phrase]   (--phrase: PHRASE_CALIBRATION)
 *
 * Tenth session (h-chat4): `--negatives` wraps the same sets' **negatives** instead and reports the share still
 * rejected, plain vs wrapped: a chat lift that answers more wrapped questions may answer more wrapped near misses too,
 * and the fitting sets have almost no long negatives to show it (5 of 229 have 8+ query words).
 * `--sets all` adds kb-fit4, kb-fit5 and kb-fit6 (fitting sets; kb-unseen and kb-unseen2 are never used).
 */
import { detectLang } from '../kb/analyze.js';
import { PHRASE_CALIBRATION } from '../kb/calibration.js';
import { readQueries } from '../kb/eval.js';
import { SearchKnowledgeBase } from '../kb/knowledge-base.js';
import { loadKbDir } from '../kb/loader.js';
import { buildIndex } from '../kb/search-index.js';
import { words } from '../kb/text.js';
import { applyModeArgs } from './kb-mode-args.js';
applyModeArgs(process.argv);

const dev = process.argv.includes('--dev') ? process.argv[process.argv.indexOf('--dev') + 1]! : '../shared/kb-dev';
const WRAP: Record<'en' | 'es', string[]> = {
  en: [
    'hi, sorry to bother you, {q}. thanks!',
    'hey team :wave: quick one: {q}?? any idea? cheers',
    'good morning, since this morning {q}, could someone help please? thanks in advance',
    'hello, hope you are well. {q} - I tried restarting already. many thanks',
    'ugh, {q} and I have a meeting in 10 minutes :( help pls',
  ],
  es: [
    'hola, perdona la molestia, {q}. gracias!',
    'buenas! una pregunta rápida: {q}?? alguna idea? gracias',
    'buenos días, desde esta mañana {q}, ¿me podéis ayudar por favor? gracias de antemano',
    'hola, espero que estéis bien. {q}, ya he probado a reiniciar. mil gracias',
    'uf, {q} y tengo una reunión en 10 minutos :( ayuda porfa',
  ],
};
/** A second set of templates, written before any change made with the first and never tuned on. */
const HELD: Record<'en' | 'es', string[]> = {
  en: [
    'Morning all! Not sure who to ask but {q}. Would really appreciate a hand, ta',
    '@helpdesk hiya, apologies if this is the wrong channel: {q} :sweat_smile:',
    'so basically {q}, been like this since Monday. no rush but it is annoying. thx!',
    'Hi IT, hope your week is going ok. {q}. Let me know if you need anything from me. Best, Sam',
    'quick q - {q}? my manager is asking. thank you so much!!',
  ],
  es: [
    'Buenos días a todos! No sé a quién preguntar pero {q}. Os lo agradecería mucho',
    '@soporte holaa, perdón si no es el canal: {q} :sweat_smile:',
    'pues nada, {q}, lleva así desde el lunes. no corre prisa pero es un rollo. gracias!',
    'Hola equipo, espero que vaya bien la semana. {q}. Si necesitáis algo de mi parte me decís. Un saludo, Ana',
    'pregunta rápida: {q}? me lo está pidiendo mi jefe. muchísimas gracias!!',
  ],
};
const templates = process.argv.includes('--held') ? HELD : WRAP;
const sets = [
  { name: 'kb-dev', articles: `${dev}/articles`, queries: `${dev}/queries.jsonl` },
  { name: 'kb-holdout', articles: 'kb/articles', queries: 'bench/kb-holdout/queries.jsonl' },
  { name: 'kb-fit3', articles: 'bench/kb-fit3/articles', queries: 'bench/kb-fit3/queries.jsonl' },
  ...(process.argv.includes('--sets') && process.argv[process.argv.indexOf('--sets') + 1] === 'all'
    ? ['fit4', 'fit5', 'fit6'].map((n) => ({ name: `kb-${n}`, articles: `bench/kb-${n}/articles`, queries: `bench/kb-${n}/queries.jsonl` }))
    : []),
];
const negatives = process.argv.includes('--negatives');
console.log(negatives ? '| set | negatives | rejected plain | rejected wrapped (mean of 5 templates) | worst template |' : '| set | queries | recall@3 plain | recall@3 wrapped (mean of 5 templates) | worst template |');
console.log('|---|---:|---:|---:|---:|');
for (const s of sets) {
  const kb = new SearchKnowledgeBase(buildIndex((await loadKbDir(s.articles)).articles), process.argv.includes('--phrase') ? { calibration: PHRASE_CALIBRATION } : {});
  const qs = (await readQueries(s.queries)).filter((q) => (negatives ? !q.expected.length : q.expected.length && q.kind !== 'chat'));
  // A negative counts when nothing is shown for it; an answerable query when an expected article is in the top 3.
  const hit = (q: string, exp: string[]): number => (negatives ? (kb.search(q, { limit: 3 }).length ? 0 : 1) : kb.search(q, { limit: 3 }).some((r) => exp.includes(r.id)) ? 1 : 0);
  let plain = 0;
  const per = new Array<number>(5).fill(0);
  for (const q of qs) {
    plain += hit(q.q, q.expected);
    const lang = detectLang(words(q.q)) ?? 'en';
    templates[lang].forEach((t, i) => (per[i]! += hit(t.replace('{q}', q.q), q.expected)));
  }
  const mean = per.reduce((a, b) => a + b, 0) / per.length;
  console.log(`| ${s.name} | ${qs.length} | ${(plain / qs.length).toFixed(3)} | ${(mean / qs.length).toFixed(3)} | ${(Math.min(...per) / qs.length).toFixed(3)} |`);
  if (process.argv.includes("--per")) console.log(per.map((p) => (p / qs.length).toFixed(3)).join(" "));
}
