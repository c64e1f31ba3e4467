/**
 * English and Spanish stop words (folded: no accents), plus chat filler — greetings, thanks,
 * hedges — that says nothing about the problem. Dropped from queries and from indexed text.
 */
const EN = `a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could couldn did didn do does doesn doing don down during each few for
from further had hadn has hasn have haven having he her here hers herself him himself his how i if in into
is isn it its itself just let me more most my myself no nor not of off on once only or other ought our ours
ourselves out over own same shan she should shouldn so some such than that the their theirs them themselves
then there these they this those through to too under until up very was wasn we were weren what when where
which while who whom why will with won wont would wouldn you your yours yourself yourselves also get got
gets getting im ive id ill youre thats theres whats dont cant isnt doesnt didnt shows says said keep keeps
still even really like just yet ever since via per etc thing things something anything someone anyone
one ones way much many lot lots bit kind sort maybe need needs want wants know try tried trying use using used
now today yesterday tomorrow morning afternoon evening week day days time times am pm ok okay yes yeah`;

const ES = `a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque cada como con contra cual
cuales cuando de del desde donde dos durante e el ella ellas ello ellos en entre era eran eres es esa esas ese
eso esos esta estaba estado estais estamos estan estar estas este esto estos estoy fue fueron fui ha habia
han has hasta hay he la las le les lo los mas me mi mis mucho muchos muy poco poca pocos pocas nada ni no nos nosotros o os otra
otras otro otros para pero poco por porque que quien quienes se sea sean segun ser si sido siempre sin sobre
sois solo somos son soy su sus tambien tanto te tengo tiene tienen todo todos tu tus un una unas uno unos usted
ustedes va vais vamos van vosotros y ya yo mio mia tuyo suyo cosa cosas alguien ahora hoy ayer manana
tarde noche semana dia dias vez veces tan tal pues entonces luego igual bueno vale ok oye mira puedo puede
pueden podria deja dejan dejar quiero quieres necesito hace hacer hago sale salen me dice dicen ver veo`;

/** Greetings, thanks and other chat noise in both languages. */
const CHAT = `hi hey hello hiya heya yo howdy greetings morning dear team folks guys all everyone please pls plz
thanks thank thx ty cheers regards help helpdesk support it urgent asap quick question questions hola buenas
buenos saludos gracias porfa favor ayuda ayudar socorro holi holaa chicos compis jaja jajaja lol
ugh argh oops omg wtf idea ideas tips anyone somebody
think guess wonder wondering suppose apparently basically literally actually seems seem anymore anyway hmm
kinda sorta stuff somehow advice tonight night whatever totally completely super pretty
creo parece pasa resulta acabo acaba manera forma ahi alli alla aca voy vas estaba estoy estaban
ay uf jo vaya dios madre mia porfi plis urgente querer tener`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${EN} ${ES} ${CHAT}`.split(/\s+/).filter(Boolean));

/** True when the folded token carries no meaning for search. */
export const isStopWord = (t: string): boolean => STOP_WORDS.has(t);
