import {
  ApplicationCommandType,
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageContextMenuCommandInteraction,
  MessageFlags,
  ModalSubmitInteraction,
  Routes,
  StringSelectMenuInteraction,
  type Client,
  type Interaction,
} from 'discord.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { CMD_HELP, CMD_TICKET, OPT_TEXT } from './discord.commands.js';
import { HELP_MODAL_ID, PANEL_ID } from './discord.custom-id.js';
import { decodeAction } from '../shared/action-codec.js';
import type { DiscordInbound } from './discord.inbound.js';
import { discordInteraction } from './discord.payloads.js';

type Raw = Record<string, unknown> & { id?: string; type?: number; token?: string; data?: { type?: number; component_type?: number; custom_id?: string; name?: string } };
type Ctor = new (client: Client, data: unknown) => Interaction;

/** The discord.js interaction for a raw INTERACTION_CREATE payload (as discord.js's own InteractionCreate action builds it). */
export function interactionFrom(client: Client, data: Raw): Interaction | undefined {
  let C: unknown;
  if (data.type === InteractionType.ApplicationCommand) {
    if (data.data?.type === ApplicationCommandType.ChatInput) C = ChatInputCommandInteraction;
    else if (data.data?.type === ApplicationCommandType.Message) C = MessageContextMenuCommandInteraction;
  } else if (data.type === InteractionType.MessageComponent) {
    if (data.data?.component_type === ComponentType.Button) C = ButtonInteraction;
    else if (data.data?.component_type === ComponentType.StringSelect) C = StringSelectMenuInteraction;
  } else if (data.type === InteractionType.ModalSubmit) C = ModalSubmitInteraction;
  else if (data.type === InteractionType.ApplicationCommandAutocomplete) C = AutocompleteInteraction;
  return C ? new (C as Ctor)(client, data) : undefined;
}

/**
 * How the gateway acknowledges an interaction before recording it: `reply` (type 5, deferred
 * ephemeral message, later edited through the @original webhook), `update` (type 6), or `inline`
 * when the answer needs no database and must be the acknowledgement itself (a modal; autocomplete;
 * refusing a bot's message).
 */
export function ackFor(ix: Interaction): 'reply' | 'update' | 'inline' {
  if (ix.isAutocomplete()) return 'inline';
  if (ix.isChatInputCommand()) {
    if (ix.commandName === CMD_HELP) return ix.options.getString(OPT_TEXT)?.trim() ? 'reply' : 'inline';
    return ix.commandName === CMD_TICKET ? 'reply' : 'update';
  }
  if (ix.isMessageContextMenuCommand()) return ix.targetMessage.author.bot ? 'inline' : 'reply';
  if (ix.isModalSubmit()) return ix.customId === HELP_MODAL_ID ? 'reply' : 'update'; // the escalate modal: an update of the card
  if (ix.isButton() || ix.isStringSelectMenu()) {
    if (ix.customId === PANEL_ID) return 'inline';
    const a = decodeAction(ix.customId);
    return a?.action === 'escalate' ? 'inline' : 'update';
  }
  return 'inline';
}

/**
 * Durable intake for Discord interactions (gateway role): each INTERACTION_CREATE packet is recorded
 * in the intake queue, then acknowledged with one REST call — no database on the way, so a stalled
 * database never costs the 3-second window. The answer follows from an intake worker by editing
 * the deferred reply (@original). Interactions whose answer is the acknowledgement run at once.
 */
export function attachDiscordIntake(client: Client, inbound: DiscordInbound, intake: InboundIntake, log: Logger): void {
  client.on('raw', (packet: { t?: string; d?: Raw }) => {
    if (packet.t !== 'INTERACTION_CREATE' || !packet.d?.id || !packet.d.token) return;
    // The boundary gate (discord.payloads) refuses and answers a malformed one; nothing is recorded.
    if (!discordInteraction.safeParse(packet.d).success) return;
    const data = packet.d;
    inbound.track(
      (async () => {
        const ix = interactionFrom(client, data);
        if (!ix) return;
        const ack = ackFor(ix);
        if (ack === 'inline') return inbound.onInteraction(ix, { ack: 'none' });
        await intake.record({ v: 1, platform: 'discord', kind: 'interaction', id: data.id!, receivedAt: Date.now(), payload: data, reply: { ack } });
        const body = ack === 'reply' ? { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } } : { type: InteractionResponseType.DeferredMessageUpdate };
        await client.rest.post(Routes.interactionCallback(data.id!, data.token!), { body, auth: false });
      })().catch((err: unknown) => log.error({ err, interaction: data.id }, 'discord interaction not recorded or not acknowledged')),
    );
  });
}

/**
 * Processes a recorded interaction (intake workers; no gateway connection needed: answers go
 * through REST with the interaction's token).
 */
export async function replayDiscord(client: Client, inbound: DiscordInbound, e: IntakeEnvelope, attempt: IntakeAttempt): Promise<void> {
  const ix = interactionFrom(client, e.payload as Raw);
  if (!ix) throw new Error(`recorded discord interaction ${e.id} has a type this adapter does not handle`);
  const ack = e.reply?.ack === 'update' ? 'update' : 'reply';
  await inbound.onInteraction(ix, { ack, retry: !attempt.final });
}
