import { normalizeLocale, type SupportedLocale } from '../../../core/i18n/index.js';

/** Texts the web chat adds itself (core's catalogs carry every ticket notice). */
const texts = {
  en: { solved: 'Glad that helped! This conversation is closed as solved; you can start a new one any time.', rated: 'Thanks for your rating.' },
  es: { solved: '¡Nos alegra que te haya servido! Esta conversación queda resuelta; puedes abrir otra cuando quieras.', rated: 'Gracias por tu valoración.' },
} as const;

export function chatText(locale: string | undefined, key: keyof (typeof texts)['en']): string {
  return texts[normalizeLocale(locale)][key];
}

/** The best supported language from an Accept-Language header (first listed supported one). */
export function langFromHeader(header: string | undefined, fallback = 'en'): SupportedLocale {
  for (const part of (header ?? '').slice(0, 200).split(',')) {
    const tag = part.split(';')[0]!.trim();
    if (!tag) continue;
    const l = normalizeLocale(tag, '');
    if (tag.toLowerCase().startsWith(l)) return l;
  }
  return normalizeLocale(fallback);
}
