import { normalizeLocale, t as coreT } from '../../core/i18n/index.js';

/** Strings of the web pages (the chat catalog adds its own keys in chat/). Same keys in both. */
const en = {
  'app.name': 'Helpdesk',
  'nav.skip': 'Skip to content',
  'nav.home': 'Home',
  'nav.chat': 'Live chat',
  'nav.console': 'Agent console',
  'nav.reports': 'Reports',
  'nav.signin': 'Sign in',
  'nav.signout': 'Sign out',
  'nav.signed_in_as': 'Signed in as {name}',
  'start.title': 'Your helpdesk is running',
  'start.lead': 'People ask for help in a chat; the knowledge base answers what it can; the rest becomes tickets that agents work from this console or from Slack, Teams and Discord.',
  'start.chat': 'Ask for help',
  'start.chat_desc': 'The live chat a customer or employee uses: suggestions from the knowledge base as they type, then a conversation with an agent.',
  'start.console': 'Agent console',
  'start.console_desc': 'Queues, tickets with their whole history, and every agent action. Sign in with the link printed in the start log.',
  'start.reports': 'Reports',
  'start.reports_desc': 'Response and resolution times, satisfaction and deflection per desk.',
  'start.coming': 'coming soon',
  'start.platforms': 'Platforms',
  'start.enabled': 'enabled',
  'start.disabled': 'not enabled',
  'start.enable_hint': 'Set {vars} (see .env.example and {doc}) and restart.',
  'start.desks': 'Desks',
  'start.web_always': 'Web chat and console are always on.',
  'signin.title': 'Sign in',
  'signin.oidc': 'Sign in with your company account',
  'signin.magic_help': 'Agents sign in with a link from an administrator: run “npx helpdesk web invite <agent id>” on the server. The first administrator’s link is printed in the start log.',
  'signin.confirm_title': 'Sign in as {name}?',
  'signin.confirm': 'Continue',
  'signin.expired': 'This sign-in link has expired. Ask for a new one.',
  'signin.used': 'This sign-in link was already used. Ask for a new one.',
  'signin.invalid': 'This sign-in link is not valid.',
  'signin.unknown_agent': 'This link is for an agent who is no longer in the directory.',
  'signin.oidc_failed': 'Sign-in with your company account did not complete. Try again.',
  'signin.oidc_no_agent': 'You are signed in as {email}, but no agent has that address. Ask an administrator to add it to the desk file.',
  'signout.done': 'You are signed out.',
  'error.title': 'Something is not right',
  'error.not_found': 'There is nothing at this address.',
  'error.internal': 'Something went wrong on our side (reference {ref}).',
  'error.back': 'Back to the start page',
} as const;

export type WebKey = keyof typeof en;

const es: Record<WebKey, string> = {
  'app.name': 'Helpdesk',
  'nav.skip': 'Saltar al contenido',
  'nav.home': 'Inicio',
  'nav.chat': 'Chat en vivo',
  'nav.console': 'Consola de agentes',
  'nav.reports': 'Informes',
  'nav.signin': 'Entrar',
  'nav.signout': 'Salir',
  'nav.signed_in_as': 'Has entrado como {name}',
  'start.title': 'Tu helpdesk está en marcha',
  'start.lead': 'Las personas piden ayuda en un chat; la base de conocimiento responde lo que puede; el resto se convierte en tickets que los agentes atienden desde esta consola o desde Slack, Teams y Discord.',
  'start.chat': 'Pedir ayuda',
  'start.chat_desc': 'El chat en vivo que usa un cliente o empleado: sugerencias de la base de conocimiento mientras escribe y después una conversación con un agente.',
  'start.console': 'Consola de agentes',
  'start.console_desc': 'Colas, tickets con todo su historial y todas las acciones de agente. Entra con el enlace que aparece en el registro de arranque.',
  'start.reports': 'Informes',
  'start.reports_desc': 'Tiempos de respuesta y resolución, satisfacción y desvío por mesa.',
  'start.coming': 'próximamente',
  'start.platforms': 'Plataformas',
  'start.enabled': 'activada',
  'start.disabled': 'sin activar',
  'start.enable_hint': 'Define {vars} (ver .env.example y {doc}) y reinicia.',
  'start.desks': 'Mesas',
  'start.web_always': 'El chat web y la consola siempre están activos.',
  'signin.title': 'Entrar',
  'signin.oidc': 'Entrar con tu cuenta de empresa',
  'signin.magic_help': 'Los agentes entran con un enlace de un administrador: ejecuta «npx helpdesk web invite <id de agente>» en el servidor. El enlace del primer administrador aparece en el registro de arranque.',
  'signin.confirm_title': '¿Entrar como {name}?',
  'signin.confirm': 'Continuar',
  'signin.expired': 'Este enlace de acceso ha caducado. Pide uno nuevo.',
  'signin.used': 'Este enlace de acceso ya se usó. Pide uno nuevo.',
  'signin.invalid': 'Este enlace de acceso no es válido.',
  'signin.unknown_agent': 'Este enlace es de un agente que ya no está en el directorio.',
  'signin.oidc_failed': 'El acceso con tu cuenta de empresa no se completó. Inténtalo de nuevo.',
  'signin.oidc_no_agent': 'Has entrado como {email}, pero ningún agente tiene esa dirección. Pide a un administrador que la añada al archivo de mesas.',
  'signout.done': 'Has salido.',
  'error.title': 'Algo no va bien',
  'error.not_found': 'No hay nada en esta dirección.',
  'error.internal': 'Algo falló por nuestra parte (referencia {ref}).',
  'error.back': 'Volver a la página de inicio',
};

const catalogs: Record<'en' | 'es', Record<string, string>> = { en, es };

/** Replaces `{name}` placeholders (a linear scan, no regular expression). */
export function fill(template: string, vars: Record<string, string | number> = {}): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) break;
    const close = template.indexOf('}', open);
    if (close < 0) break;
    const key = template.slice(open + 1, close);
    out += template.slice(i, open) + (key in vars ? String(vars[key]) : template.slice(open, close + 1));
    i = close + 1;
  }
  return out + template.slice(i);
}

export interface WebStrings {
  locale: 'en' | 'es';
  /** A web page string. Extra catalogs (chat) can be merged with `extendWebStrings`. */
  t(key: WebKey | (string & {}), vars?: Record<string, string | number>): string;
  /** A string of core's catalog (ticket statuses, error sentences; `{{var}}` placeholders). */
  core(key: string, vars?: Record<string, unknown>): string;
}

/** Adds keys (e.g. the chat's) to the catalogs; both locales must have the same keys. */
export function extendWebStrings(more: { en: Record<string, string>; es: Record<string, string> }): void {
  Object.assign(catalogs.en, more.en);
  Object.assign(catalogs.es, more.es);
}

export function webStrings(locale: string | undefined): WebStrings {
  const l = normalizeLocale(locale) as 'en' | 'es';
  return {
    locale: l,
    t: (key, vars) => fill(catalogs[l][key] ?? catalogs.en[key] ?? key, vars),
    core: (key, vars) => coreT(l, key, vars),
  };
}
