import i18next, { type TFunction } from 'i18next';
import { en } from './en.js';
import { es } from './es.js';
import { enFanout } from './en.fanout.js';
import { esFanout } from './es.fanout.js';

export const SUPPORTED_LOCALES = ['en', 'es'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  resources: { en: { translation: { ...en, fanout: enFanout } }, es: { translation: { ...es, fanout: esFanout } } },
  fallbackLng: 'en',
  supportedLngs: [...SUPPORTED_LOCALES],
  nonExplicitSupportedLngs: true, // es-ES, es-419, en-US… use es / en
  load: 'languageOnly',
  keySeparator: '.',
  nsSeparator: false,
  interpolation: { escapeValue: false }, // renderers escape for their own format
  showSupportNotice: false,
} as Parameters<typeof i18n.init>[0]);

/** Maps a platform locale (`es-ES`, `es_MX`, `en-GB`, undefined) to a supported one. */
export function normalizeLocale(locale: string | undefined, fallback: string = 'en'): SupportedLocale {
  const pick = (l?: string) => {
    const base = l?.toLowerCase().replace('_', '-').split('-')[0];
    return (SUPPORTED_LOCALES as readonly string[]).includes(base ?? '') ? (base as SupportedLocale) : undefined;
  };
  return pick(locale) ?? pick(fallback) ?? 'en';
}

const fixed = new Map<SupportedLocale, TFunction>();

/**
 * The translator for a locale. Keys are `section.key` paths of the catalog. One per locale, built
 * once; a key asked for without variables is looked up once (the catalog is fixed at start-up), so
 * labels rendered on every card cost a map hit instead of a trip through i18next.
 */
export function translator(locale: string | undefined, deskLocale = 'en'): TFunction {
  const l = normalizeLocale(locale, deskLocale);
  let f = fixed.get(l);
  if (!f) {
    const t = i18n.getFixedT(l);
    const plain = new Map<string, unknown>();
    const memo = (key: unknown, ...rest: unknown[]): unknown => {
      if (rest.length > 0 || typeof key !== 'string') return (t as unknown as (...a: unknown[]) => unknown)(key, ...rest);
      if (!plain.has(key)) plain.set(key, t(key));
      return plain.get(key);
    };
    f = memo as unknown as TFunction;
    fixed.set(l, f);
  }
  return f;
}

export type Translate = (key: string, vars?: Record<string, unknown>) => string;
export function t(locale: string | undefined, key: string, vars?: Record<string, unknown>): string {
  return translator(locale)(key, vars ?? {}) as string;
}
