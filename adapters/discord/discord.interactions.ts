import {
  ComponentType,
  InteractionResponseType,
  TextInputStyle,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { HelpdeskError, isHelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { translator } from '../../core/i18n/index.js';
import { CMD_HELP, CMD_TICKET, OPT_TEXT } from './discord.commands.js';
import { parseHelpCommand } from '../shared/help-command.js';
import { runIncidentCommand } from '../shared/incident-command.js';
import { renderView } from './discord.renderer.js';
import { ESCALATE_MODAL_PREFIX, HELP_MODAL_ID, MODAL_DETAILS, MODAL_REASON, MODAL_SUBJECT, PANEL_ID } from './discord.custom-id.js';
import { decodeAction } from '../shared/action-codec.js';
import { unlessHeldElsewhere } from '../shared/intake.js';
import { actionToEvent } from '../shared/action-events.js';
import { discordIdentity, dmIdentity, type DiscordInboundDeps } from './discord.inbound-context.js';
import type { DiscordIntake } from './discord.intake.js';
import type { InteractionReplies, Ix } from './discord.replies.js';
import { TicketCommand } from './discord.ticket-command.js';
import { STORM_CLAIM_ARG, stormClaimedView } from '../../core/views/storm-card.view.js';

/**
 * Slash commands, the message context menu, modals, buttons and selects. Every interaction is
 * acknowledged first (a deferral is one quick REST call), then worked on, so the 3-second window
 * is never at the mercy of the database or the KB.
 */
export class DiscordInteractions {
  private readonly ticketCommand: TicketCommand;

  constructor(
    private readonly d: DiscordInboundDeps,
    private readonly replies: InteractionReplies,
    private readonly intake: DiscordIntake,
  ) {
    this.ticketCommand = new TicketCommand(d, replies);
  }

  /**
   * `recorded`: the interaction came through the durable intake, which already acknowledged it
   * (`ack`) and deduplicated it by id, so no database check runs before the answer. `retry`: an
   * infrastructure failure is thrown back to the intake (tried again later) instead of shown.
   */
  async onInteraction(interaction: Interaction, recorded?: { ack: Ix['ack']; retry?: boolean }): Promise<void> {
    const ix: Ix = { id: interaction.id, token: interaction.token, locale: interaction.locale, ack: recorded?.ack ?? 'none', ...(recorded?.retry ? { retry: true } : {}) };
    // Suggestions while typing: answered on every keystroke, never an error message.
    if (interaction.isAutocomplete()) return this.ticketCommand.autocomplete(ix, interaction);
    try {
      // A gateway replay of an interaction that was handled does nothing (and could not answer
      // again anyway); one whose handling failed is claimed again (at least once, never at most once).
      // Through the durable intake the job id already deduplicated it, and no database is asked before the answer.
      if (recorded) await this.dispatch(ix, interaction);
      else await this.d.helpdesk.once(`discord:interaction:${interaction.id}`, () => this.dispatch(ix, interaction));
    } catch (err) {
      if (recorded?.retry && !isHelpdeskError(err)) throw err;
      await this.replies.fail(ix, err);
    }
  }

  private async dispatch(ix: Ix, interaction: Interaction): Promise<void> {
    const who = discordIdentity(interaction.user, interaction.guildId ?? this.d.guildIds[0] ?? '');
    if (interaction.isChatInputCommand()) return await this.onCommand(ix, interaction, who);
    if (interaction.isMessageContextMenuCommand()) return await this.onFileMessage(ix, interaction, who);
    if (interaction.isModalSubmit()) return await this.onModal(ix, interaction, who);
    if (interaction.isButton() || interaction.isStringSelectMenu()) return await this.onComponent(ix, interaction, who);
    if (interaction.isRepliable()) await this.replies.ackUpdateOrNothing(ix);
  }

  private async onCommand(ix: Ix, interaction: ChatInputCommandInteraction, who: Identity): Promise<void> {
    if (interaction.commandName === CMD_HELP) {
      const text = interaction.options.getString(OPT_TEXT)?.trim();
      if (!text) return await this.intake.showHelpModal(ix);
      await this.replies.deferReply(ix);
      // `/help text:incident declare …` (agents): the shared incident command, answered privately.
      const parsed = parseHelpCommand(text);
      if (parsed.kind === 'incident') {
        const desk = interaction.guildId ? this.d.directory.deskFor({ platform: 'discord', workspace: interaction.guildId, channel: interaction.channelId }) : undefined;
        const view = await runIncidentCommand(parsed.op, { incidents: this.d.helpdesk.incidents, directory: this.d.directory, actor: who, eventId: `discord:${interaction.id}`, locale: ix.locale, desk });
        return await this.replies.editOriginal(ix, renderView(view).body);
      }
      return await this.intake.openHelp(ix, { requester: who, text, channelId: interaction.channelId, key: `discord:${interaction.id}` });
    }
    if (interaction.commandName === CMD_TICKET) {
      await this.replies.deferReply(ix);
      return await this.ticketCommand.run(ix, interaction, who);
    }
    return await this.replies.ackUpdateOrNothing(ix);
  }

  /** "Create ticket" on a message: files it for the message's author. */
  private async onFileMessage(ix: Ix, interaction: MessageContextMenuCommandInteraction, who: Identity): Promise<void> {
    const target = interaction.targetMessage;
    if (target.author.bot) throw new HelpdeskError('INPUT.INVALID', 'cannot file a ticket on a bot message', { detail: 'bot message' });
    await this.replies.deferReply(ix);
    const author = discordIdentity(target.author, interaction.guildId ?? '');
    // Filing on someone else's message: they did not ask the bot, so no suggestions for them.
    return await this.intake.openHelp(ix, {
      requester: author,
      text: target.content,
      channelId: interaction.channelId,
      key: `discord:msg:${target.id}`,
      skipSuggestions: author.user !== who.user,
    });
  }

  private async onModal(ix: Ix, interaction: ModalSubmitInteraction, who: Identity): Promise<void> {
    if (interaction.customId.startsWith(ESCALATE_MODAL_PREFIX)) {
      // Opened from the card's button: acknowledge as an update; the notifier edits the card.
      await this.replies.ackUpdateOrNothing(ix);
      // `<ticketId>[:<tier the card showed>]`: two modals from one card escalate once.
      const [ticketId = '', tierText] = interaction.customId.slice(ESCALATE_MODAL_PREFIX.length).split(':');
      const actor = interaction.guildId ? who : await dmIdentity(this.d, interaction.user, ticketId);
      const reason = interaction.fields.getTextInputValue(MODAL_REASON) ?? '';
      const e = actionToEvent({ action: 'escalate', ticketId, ...(tierText ? { arg: tierText } : {}) }, actor, interaction.id, { reason });
      if (e) await this.handleTicket(ix, e);
      return;
    }
    if (interaction.customId !== HELP_MODAL_ID) return await this.replies.ackUpdateOrNothing(ix);
    await this.replies.deferReply(ix);
    const subject = interaction.fields.getTextInputValue(MODAL_SUBJECT).trim();
    const details = interaction.fields.getTextInputValue(MODAL_DETAILS)?.trim() ?? '';
    return await this.intake.openHelp(ix, { requester: who, subject, text: details || subject, channelId: interaction.channelId ?? '', key: `discord:${interaction.id}` });
  }

  /** Buttons and selects: the panel's "get help", and the actions of cards, suggestions and CSAT. */
  private async onComponent(ix: Ix, interaction: ButtonInteraction | StringSelectMenuInteraction, who: Identity): Promise<void> {
    if (interaction.customId === PANEL_ID) return await this.intake.showHelpModal(ix);
    const a = decodeAction(interaction.customId);
    if (!a) return await this.replies.ackUpdateOrNothing(ix);
    // Escalate asks for an (optional) reason first; the modal's submission does the escalation.
    if (a.action === 'escalate') return await this.showEscalateModal(ix, a.arg ? `${a.ticketId}:${a.arg}` : a.ticketId);
    await this.replies.ackUpdateOrNothing(ix);
    const actor = interaction.guildId ? who : await dmIdentity(this.d, interaction.user, a.ticketId);
    const selected = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
    const e = actionToEvent(a, actor, interaction.id, { ...(selected !== undefined ? { selected } : {}) });
    if (!e) return;
    const r = await this.handleTicket(ix, e);
    if (!r) return;
    const tr = translator(ix.locale);
    // Card actions need no answer (the notifier edits the card in place); requester-side ones do.
    if (a.action === 'solved') await this.replies.editOriginal(ix, this.replies.plain(tr('intake.self_served', { number: r.number })));
    if (a.action === 'need_help') await this.replies.editOriginal(ix, this.replies.plain(this.intake.receivedText(r, ix.locale, this.d.directory.desk(r.deskId), 'intake.routed')));
    if (a.action === 'rate') await this.replies.editOriginal(ix, this.replies.plain(tr('csat.thanks', { number: r.number, score: a.arg })));
    // A storm card's claim: the card is edited for everyone; the claimer alone is told which ticket
    // and given its console page (a storm-card ticket has no thread of its own).
    if (a.action === 'claim' && a.arg === STORM_CLAIM_ARG) await this.replies.followUp(ix, renderView(stormClaimedView(r, ix.locale, this.d.helpdesk.consoleUrl?.(r.number))).body);
  }

  private async handleTicket(ix: Ix, e: InboundEvent): Promise<Ticket | undefined> {
    const r = unlessHeldElsewhere(await this.d.helpdesk.handle(e), ix.retry, `discord interaction ${ix.id}`);
    return r.kind === 'ticket' ? r.ticket : undefined;
  }

  /** `target` is `<ticketId>[:<tier the card showed>]`, carried through the modal's custom id. */
  private async showEscalateModal(ix: Ix, target: string): Promise<void> {
    const tr = translator(ix.locale);
    await this.replies.respond(ix, InteractionResponseType.Modal, {
      custom_id: `${ESCALATE_MODAL_PREFIX}${target}`,
      title: tr('discord.escalate_title'),
      components: [
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: MODAL_REASON, label: tr('discord.escalate_reason'), style: TextInputStyle.Paragraph, required: false, max_length: 500 }] },
      ],
    });
    ix.ack = 'reply';
  }
}
