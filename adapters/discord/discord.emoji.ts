/**
 * Desk reactions are configured by shortcode (`eyes`, the Slack habit); Discord reports unicode
 * emoji by the character itself and custom emoji by name. A small table covers the usual picks.
 */
const SHORTCODES: Record<string, string> = {
  eyes: '👀',
  ticket: '🎫',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  raising_hand: '🙋',
  raised_hand: '✋',
  hand: '✋',
  point_up: '☝️',
  wrench: '🔧',
  sos: '🆘',
  sos_button: '🆘',
  inbox_tray: '📥',
  hammer_and_wrench: '🛠️',
  thumbsup: '👍',
  '+1': '👍',
};

/** The unicode character (or custom emoji name) Discord will report for a configured reaction. */
export function discordEmoji(configured: string): string {
  const name = configured.trim().replace(/^:|:$/g, '');
  return SHORTCODES[name] ?? name;
}

/** Does a reaction's emoji name match the configured one (`eyes`, `:eyes:`, `👀` or a custom emoji name)? */
export function emojiMatches(reported: string | null | undefined, configured: string): boolean {
  if (!reported) return false;
  const want = discordEmoji(configured);
  // Variation selectors (U+FE0F) come and go between clients.
  const norm = (s: string) => s.replace(/\uFE0F/g, '');
  return norm(reported) === norm(want) || reported === configured;
}
