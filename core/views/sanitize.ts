/**
 * Neutralises broadcast and group mentions in user text before it is shown anywhere else, for every
 * platform's syntax: Slack `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^ID>`; Discord
 * `@everyone`, `@here`, `<@&role>`; Teams `<at>…</at>`; and bare `@channel`. Person mentions are kept
 * as plain names where the syntax carries one. Adapters still use their platform's own guard
 * (Discord `allowedMentions`, Slack `parse: none`) as a second line. The patterns' bodies exclude `<`
 * so that an unclosed tag never makes every later one rescan the rest of the text (linear time).
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/<!(channel|here|everyone)(\|[^<>]*)?>/gi, '@\u200b$1')
    .replace(/<!subteam\^[A-Z0-9]+(\|([^<>]*))?>/gi, (_m, _g, label: string | undefined) => `@\u200b${(label ?? 'group').replace(/^@/, '')}`)
    .replace(/<@&\d+>/g, '@\u200brole')
    .replace(/<at>([^<]*)<\/at>/gi, '@\u200b$1')
    .replace(/@(everyone|here|channel)\b/gi, '@\u200b$1');
}

/**
 * Shortens a label to `max` characters on a word boundary, with `…` (never splitting a surrogate
 * pair). For message text use `clipText` from text-limits.ts, which adds the visible marker.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max - 1;
  const code = text.charCodeAt(end - 1);
  const cut = text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
  const sp = cut.lastIndexOf(' ');
  return `${sp > max * 0.6 ? cut.slice(0, sp) : cut}…`;
}
