import type { Client, Interaction } from 'discord.js';
import type { DiscordInboundDeps } from './discord.inbound-context.js';
import { messageInput, reactionInput, type InMessage, type InReaction } from './discord.inbound-input.js';
import { DiscordIntake } from './discord.intake.js';
import { DiscordInteractions } from './discord.interactions.js';
import { DiscordMessages } from './discord.messages.js';
import { DiscordReactions } from './discord.reactions.js';
import { InteractionReplies } from './discord.replies.js';

export type { DiscordInboundDeps } from './discord.inbound-context.js';
export { supportChannel } from './discord.intake.js';

/**
 * Turns Discord interactions, thread messages and reactions into core InboundEvents: wires the
 * handlers (discord.interactions, discord.messages, discord.reactions, sharing discord.intake and
 * discord.replies) to the client's events and keeps track of the work still in flight.
 */
export class DiscordInbound {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly interactions: DiscordInteractions;
  private readonly messages: DiscordMessages;
  private readonly reactions: DiscordReactions;
  private readonly log: DiscordInboundDeps['log'];

  constructor(d: DiscordInboundDeps) {
    this.log = d.log;
    const replies = new InteractionReplies(d);
    const intake = new DiscordIntake(d, replies);
    this.interactions = new DiscordInteractions(d, replies, intake);
    this.messages = new DiscordMessages(d, replies);
    this.reactions = new DiscordReactions(d, replies, intake);
  }

  /**
   * `recorded: true` when the durable intake takes interactions, messages and reactions from the raw
   * gateway packets (discord.intake-queue, discord.dispatch-intake); otherwise they are handled here,
   * in the process that received them.
   */
  attach(client: Client, o: { recorded?: boolean } = {}): void {
    if (o.recorded) return;
    client.on('interactionCreate', (ix) => this.track(this.onInteraction(ix)));
    client.on('messageCreate', (m) => this.track(this.onMessage(messageInput(m), client.user?.id)));
    client.on('messageReactionAdd', (r, u) => this.track(this.onReaction(reactionInput(r, u), client.user?.id)));
  }

  /**
   * Resolves once the handlers of every event received so far have finished (graceful shutdown;
   * tests use it to assert that something did *not* happen without sleeping).
   */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** `recorded`: it came through the durable intake, acknowledged already (see discord.intake-queue). */
  onInteraction(interaction: Interaction, recorded?: { ack: 'none' | 'reply' | 'update'; retry?: boolean }): Promise<void> {
    return this.interactions.onInteraction(interaction, recorded);
  }

  /** `retry`: from the durable intake, which retries an infrastructure failure instead of showing it. */
  onMessage(m: InMessage, botId: string | undefined, o: { retry?: boolean } = {}): Promise<void> {
    return this.messages.onMessage(m, botId, o);
  }

  onReaction(r: InReaction, botId: string | undefined, o: { retry?: boolean } = {}): Promise<void> {
    return this.reactions.onReaction(r, botId, o);
  }

  /** Handlers report their own failures; anything that still escapes is logged, never an unhandled rejection. */
  track(p: Promise<void>): void {
    const safe = p.catch((err: unknown) => this.log.error({ err }, 'discord inbound handler failed'));
    this.inFlight.add(safe);
    void safe.finally(() => this.inFlight.delete(safe));
  }
}
