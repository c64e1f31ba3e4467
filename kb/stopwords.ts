/**
 * Stop words: the English and Spanish lists of `@orama/stopwords` (Apache-2.0; the English one is
 * Snowball's), folded, plus chat filler no general list has — greetings, thanks, hedges, contractions
 * typed without the apostrophe, everyday time words — in both languages. A few words of the Spanish
 * list carry meaning in a support question and are kept as content (`nuevo`, `fuera`, `trabajo`).
 * Dropped from queries and from indexed text.
 */
import { stopwords as english } from '@orama/stopwords/english';
import { stopwords as spanish } from '@orama/stopwords/spanish';
import { words } from './text.js';

/** Chat filler and contractions typed without an apostrophe (folded). */
const FILLER = `im ive id ill youre thats theres whats dont cant isnt doesnt didnt wont arent wasnt couldnt wouldnt
shows says said keep keeps still even really like yet ever since via per etc thing things something anything someone
anyone one ones way much many lot lots bit kind sort maybe need needs want wants know try tried trying use using used
now today yesterday tomorrow morning afternoon evening week day days time times am pm ok okay yes yeah also get got gets getting
algo cosa cosas alguien ahora hoy ayer manana tarde noche semana dia dias vez veces tal pues entonces luego igual bueno
vale ok oye mira puedo puede pueden podria deja dejan dejar quiero quieres necesito hace hacer hago sale salen dice
dicen ver veo me mi
hi hey hello hiya heya yo howdy greetings dear team folks guys all everyone please pls plz
thanks thank thx ty cheers regards help helpdesk support it urgent asap quick question questions hola buenas
buenos saludos gracias porfa favor ayuda ayudar socorro holi holaa chicos compis jaja jajaja lol
ugh argh oops omg wtf idea ideas tips anyone somebody
think guess wonder wondering suppose apparently basically literally actually seems seem anymore anyway hmm
kinda sorta stuff somehow advice tonight night whatever totally completely super pretty
creo parece pasa resulta acabo acaba manera forma ahi alli alla aca voy vas estaba estoy estaban
ay uf jo vaya dios madre mia porfi plis urgente querer tener`;

/**
 * Politeness and chat filler (round 4): apologies, thanks, hopes, softeners and interjections that
 * wrap a chat question (`sorry to bother, hopefully a quick one… thanks in advance!`, `perdona la
 * molestia, os agradecería…`). General conversational words, not taken from any query: none of them
 * says what is broken.
 */
const POLITENESS = `sorry bother bothering disturb disturbing apologies apologize apologise excuse pardon kindly
appreciate appreciated grateful hope hoping hopefully lovely awesome sadly unfortunately
honestly seriously frankly definitely haha hehe urgently anybody
disculpa disculpe disculpen disculpad perdon perdona perdone perdonad molestar molesto molestia molestias
siento lamento agradezco agradeceria agradecido agradecida cordial cordiales atentamente tardes noches holis
genial mirad ayudame ayudarme ayudais antemano
already well going espero esteis estes esten probado probe intentado intente decis digais dime necesitas necesitais`;

/** Words of the packaged lists that say something about a support problem. */
const CONTENT = new Set('nuevo nueva nuevos nuevas fuera dentro trabajo trabaja trabajar empleo arriba abajo'.split(' '));

export const STOP_WORDS: ReadonlySet<string> = new Set(
  [...english, ...spanish, FILLER, POLITENESS].flatMap((w) => words(w)).filter((w) => !CONTENT.has(w)),
);

/** True when the folded token carries no meaning for search. */
export const isStopWord = (t: string): boolean => STOP_WORDS.has(t);
