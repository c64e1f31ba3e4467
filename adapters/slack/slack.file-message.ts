import type { Identity } from '../../core/domain/identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { SlackInboundDeps } from './slack.context.js';
import { slackPerson, threadText } from './slack.context.js';

export interface FileMessageInput {
  workspace: string;
  channel: string;
  /** The message acted on, and its thread root if it is a reply. */
  ts: string;
  threadTs?: string;
  /** The message author (the requester); the reporter when unknown (e.g. a bot's message). */
  author?: string;
  /** The message text from the payload, used if the thread cannot be read. */
  text?: string;
  reporter: Identity;
  eventId: string;
}

/**
 * Files an existing Slack message (message shortcut or file-ticket reaction) as a ticket for its
 * author, linked to the message's thread so the conversation continues there. Idempotent per
 * message: a shortcut and a reaction on the same message give one ticket.
 */
export async function fileMessage(d: SlackInboundDeps, m: FileMessageInput): Promise<{ ticket: Ticket; created: boolean }> {
  const { text, author, root } = await threadText(d, m.channel, m.threadTs ?? m.ts, m.text);
  const user = m.author ?? author ?? m.reporter.user;
  const requester = user === m.reporter.user ? m.reporter : await slackPerson(d, m.workspace, user);
  const r = await d.helpdesk.handle({
    type: 'help.request',
    eventId: m.eventId,
    request: {
      idempotencyKey: `slack:msg:${m.workspace}:${m.channel}:${m.ts}`,
      requester,
      text: text || m.text || '',
      origin: { platform: 'slack', workspace: m.workspace, channel: m.channel },
      requesterLink: { platform: 'slack', workspace: m.workspace, channel: m.channel, message: root, thread: root },
      // The author did not ask the bot: no suggestions, straight to the desk.
      skipSuggestions: true,
    },
  });
  if (r.kind !== 'opened') throw new Error(`unexpected result ${r.kind}`);
  return { ticket: r.ticket, created: r.created };
}
