import { randomBytes } from 'node:crypto';
import { DiscordAPIError, InteractionResponseType, MessageFlags, Routes } from 'discord.js';
import { PlatformError } from '../../core/ports/chat-platform.port.js';
import type { REST } from 'discord.js';
import { isHelpdeskError } from '../../core/domain/errors.js';
import type { Logger } from '../../core/ports/logger.port.js';
import { errorView, noticeView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import type { DiscordPlatform } from './discord.platform.js';
import { renderView, type DiscordMessageBody } from './discord.renderer.js';

/** Discord's error code for a second callback on one interaction. */
const ALREADY_ACKNOWLEDGED = 40060;

/** How far an interaction has been acknowledged (decides how an error reaches the person). */
export type Ack = 'none' | 'reply' | 'update';

/** The interaction being answered: its id and token, the person's locale, and how far it is acknowledged. */
export interface Ix {
  id: string;
  token: string;
  locale?: string;
  ack: Ack;
  /**
   * It came through the durable intake, which tries again: core's "an earlier attempt holds this
   * event" (a killed one, until its lease ends) is thrown back rather than taken as done.
   */
  retry?: boolean;
}

/**
 * Answers to interactions (callbacks, the deferred reply, ephemeral follow-ups) and the one place
 * errors become what the person sees: coded errors their localized sentence, anything else a
 * reference id that is also logged.
 */
export class InteractionReplies {
  constructor(private readonly d: { platform: DiscordPlatform; rest: REST; applicationId: string; log: Logger }) {}

  async respond(ix: Ix, type: InteractionResponseType, data?: unknown): Promise<void> {
    try {
      await this.d.platform.call('interaction callback', () => this.d.rest.post(Routes.interactionCallback(ix.id, ix.token), { body: data === undefined ? { type } : { type, data }, auth: false }));
    } catch (e) {
      // A gateway replay of an interaction whose first handling failed after acknowledging it: the
      // work still has to be done (at least once); its answers then go to the original or follow-ups.
      const deferral = type === InteractionResponseType.DeferredChannelMessageWithSource || type === InteractionResponseType.DeferredMessageUpdate;
      if (deferral && e instanceof PlatformError && e.cause instanceof DiscordAPIError && e.cause.code === ALREADY_ACKNOWLEDGED) return;
      throw e;
    }
  }

  /** A no-op when the interaction was already deferred (by the gateway, before it was recorded). */
  async deferReply(ix: Ix): Promise<void> {
    if (ix.ack === 'reply') return;
    await this.respond(ix, InteractionResponseType.DeferredChannelMessageWithSource, { flags: MessageFlags.Ephemeral });
    ix.ack = 'reply';
  }

  async ackUpdateOrNothing(ix: Ix): Promise<void> {
    if (ix.ack !== 'none') return;
    await this.respond(ix, InteractionResponseType.DeferredMessageUpdate);
    ix.ack = 'update';
  }

  async editOriginal(ix: Ix, body: DiscordMessageBody): Promise<void> {
    await this.d.platform.call('edit reply', () => this.d.rest.patch(Routes.webhookMessage(this.d.applicationId, ix.token), { body: { ...body, embeds: body.embeds ?? [], components: body.components ?? [] }, auth: false }));
  }

  async followUp(ix: Ix, body: DiscordMessageBody): Promise<void> {
    await this.d.platform.call('follow-up', () => this.d.rest.post(Routes.webhook(this.d.applicationId, ix.token), { body: { ...body, flags: MessageFlags.Ephemeral }, auth: false }));
  }

  plain(text: string): DiscordMessageBody {
    return renderView(noticeView(text)).body;
  }

  /** Coded errors become their localized sentence; anything else is logged with a reference id. */
  errorFor(err: unknown, locale: string | undefined): View {
    if (isHelpdeskError(err)) return errorView(err, locale);
    const ref = randomBytes(4).toString('hex');
    this.d.log.error({ err, ref }, 'discord inbound failed');
    return errorView({ code: 'INTERNAL', meta: { ref } }, locale);
  }

  async fail(ix: Ix, err: unknown): Promise<void> {
    const { body } = renderView(this.errorFor(err, ix.locale), { ephemeral: true });
    try {
      if (ix.ack === 'none') await this.respond(ix, InteractionResponseType.ChannelMessageWithSource, body);
      else if (ix.ack === 'reply') await this.editOriginal(ix, body);
      else await this.followUp(ix, body);
    } catch (e) {
      this.d.log.warn({ err: e }, 'could not report an error to the person');
    }
  }

  async replyInChannel(channelId: string, err: unknown): Promise<void> {
    await this.d.platform.send(channelId, renderView(this.errorFor(err, undefined))).catch((e: unknown) => this.d.log.warn({ err: e }, 'could not report an error in channel'));
  }
}
