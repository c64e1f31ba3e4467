import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { PlatformError, type ChatPlatform, type PlatformCapabilities, type Posted, type PostTarget } from '../../core/ports/chat-platform.port.js';
import type { View } from '../../core/views/view.js';
import { renderWebMessage, type WebMessage } from './web.renderer.js';

/** What the live stream of a conversation carries. */
export type WebStreamEvent =
  | { type: 'message'; msg: WebMessage; at: string; clientId?: string }
  | { type: 'update'; of: string; msg: WebMessage; at: string }
  /** The conversation's state after a request the intake processed (the browser got 202 before it). */
  | { type: 'conversation'; conversation: Record<string, unknown>; at: string };

/** Where web messages go: the conversation streams (adapters/web/chat/chat-stream.ts in production). */
export interface WebOutbox {
  append(conversation: string, data: WebStreamEvent): Promise<string>;
}

/** The conversation a web person without a ticket link is reached in (their inbox). */
export const inboxConversation = (person: Pick<Identity, 'user'>): string => `inbox.${person.user}`;

/**
 * The web channel's outbound side. A web "channel" is one visitor conversation; posting appends to
 * its live stream (Redis), which every web replica fans out to the browser's SSE connection. Core's
 * timeline stays the record: nothing else is stored here. Edits are events that replace a message.
 */
export class WebPlatform implements ChatPlatform {
  readonly platform = 'web' as const;
  readonly capabilities: PlatformCapabilities = { ephemeral: false, reactions: false, threads: false, editMessages: true };

  constructor(private readonly outbox: WebOutbox, private readonly now: () => Date = () => new Date()) {}

  async post(target: PostTarget, view: View): Promise<Posted> {
    const id = await this.send(target.channel, { type: 'message', msg: renderWebMessage(view), at: this.now().toISOString() });
    return { channel: target.channel, message: id };
  }

  async update(link: Link, view: View): Promise<void> {
    if (!link.message) throw new PlatformError('web update: link has no message id', false);
    await this.send(link.channel, { type: 'update', of: link.message, msg: renderWebMessage(view), at: this.now().toISOString() });
  }

  async dm(person: Identity, view: View): Promise<Posted> {
    return this.post({ workspace: person.workspace, channel: inboxConversation(person) }, view);
  }

  private async send(conversation: string, e: WebStreamEvent): Promise<string> {
    if (!conversation) throw new PlatformError('web: no conversation id', false);
    try {
      return await this.outbox.append(conversation, e);
    } catch (err) {
      // Redis unreachable or failing over: the delivery queue retries.
      throw new PlatformError(`web: live stream append failed: ${(err as Error).message}`, true, undefined, undefined, { cause: err });
    }
  }
}
