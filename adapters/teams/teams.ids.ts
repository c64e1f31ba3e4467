/**
 * Teams conversation ids: a channel thread is `19:…@thread.tacv2;messageid=<root id>`; the part
 * before `;messageid=` is the channel. Links store the channel and the thread/message separately.
 */
export function splitConversationId(id: string): { channel: string; thread?: string } {
  const i = id.indexOf(';messageid=');
  return i < 0 ? { channel: id } : { channel: id.slice(0, i), thread: id.slice(i + ';messageid='.length) };
}

export const threadedConversationId = (channel: string, thread?: string): string => (thread ? `${channel};messageid=${thread}` : channel);

/** A link to a channel message that opens it in Teams (used as "Original card" on escalations). */
export const messageDeepLink = (channel: string, message: string): string =>
  `https://teams.microsoft.com/l/message/${encodeURIComponent(channel)}/${encodeURIComponent(message)}`;
