/**
 * Generic support words: they say that something is wrong, not what. Nearly every question and every
 * article has one (`problem`, `error`, `not working`, `no funciona`, `arreglar`), so a match carried by
 * them says little about whether an article answers the question. A query word in this list counts
 * for `GENERIC_WEIGHT` of its weight, in the BM25F sum and in the query's coverage alike: an article
 * that shares only `error` and `outlook` with a question about an Outlook error code it never
 * mentions no longer looks like it covers the question. Written as general vocabulary (folded, both
 * languages), not from any query of the evaluation sets.
 */
import { words } from './text.js';

const GENERIC = `problem problems issue issues error errors fail fails failed failing failure broken break breaks
work works worked working fix fixed fixing solve solved solution wrong happen happens happened happening
trouble weird strange odd suddenly stop stops stopped
problema problemas error errores fallo fallos falla fallan fallando funciona funcionan funcionar funcionando
funcione arreglar arreglo arreglarlo solucionar solucion soluciono roto rota rotos estropeado estropeada
pasa pasado ocurre ocurrido raro rara extrano extrana`;

export const GENERIC_WORDS: ReadonlySet<string> = new Set(words(GENERIC));

/** Share of its weight a generic word keeps (0.2–0.6 measured on kb-dev + kb-holdout; docs/kb.md). */
export const GENERIC_WEIGHT = 0.4;

/** The factor a query word's matches are weighted by: `GENERIC_WEIGHT` for a generic word, else 1. */
export const genericFactor = (surface: string): number => (GENERIC_WORDS.has(surface) ? GENERIC_WEIGHT : 1);
