import { InteractionResponseType, type AutocompleteInteraction, type ChatInputCommandInteraction, type Client } from 'discord.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { TicketRefInput } from '../../core/domain/inbound.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { listMacros } from '../../core/use-cases/apply-macro.js';
import { agentReport } from '../../core/use-cases/desk-report-view.js';
import { translator } from '../../core/i18n/index.js';
import { ticketCard, ticketListView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { OPT_DAYS, OPT_NAME, OPT_TICKET, SUB_CLOSE, SUB_MACRO, SUB_MINE, SUB_PENDING, SUB_REPORT, SUB_STATUS } from './discord.commands.js';
import { unlessHeldElsewhere } from '../shared/intake.js';
import { PLATFORM, discordIdentity, type DiscordInboundDeps } from './discord.inbound-context.js';
import { renderView } from './discord.renderer.js';
import type { InteractionReplies, Ix } from './discord.replies.js';

/** `/ticket` and its subcommands (mine, status, close, macro, pending), and the macro-name autocomplete. */
export class TicketCommand {
  constructor(
    private readonly d: DiscordInboundDeps,
    private readonly replies: InteractionReplies,
  ) {}

  /** Runs a subcommand; the interaction is already deferred as an ephemeral reply. */
  async run(ix: Ix, interaction: ChatInputCommandInteraction, who: Identity): Promise<void> {
    const tr = translator(ix.locale);
    const sub = interaction.options.getSubcommand();
    const number = interaction.options.getString(OPT_TICKET) ?? undefined;
    if (sub === SUB_MINE) {
      const r = await this.d.helpdesk.handle({ type: 'query.mine', eventId: ix.id, actor: who });
      const tickets = r.kind === 'tickets' ? r.tickets : [];
      return this.replies.editOriginal(ix, renderView(ticketListView(tr('list.mine_title'), tickets, ix.locale)).body);
    }
    if (sub === SUB_REPORT) {
      // Agents: the desk's headline numbers (core refuses others), the same code path as the reports page.
      const place = this.d.directory.deskFor({ platform: PLATFORM, workspace: who.workspace, channel: interaction.channelId });
      const view = await agentReport(this.d.helpdesk.deps, who, interaction.options.getInteger(OPT_DAYS) ?? 7, place, ix.locale);
      return this.replies.editOriginal(ix, renderView(view).body);
    }
    const ref = await this.ticketRef(number, who.workspace, interaction.channelId, interaction.client);
    if (sub === SUB_STATUS) {
      const r = await this.d.helpdesk.handle({ type: 'query.status', eventId: ix.id, actor: who, ticket: ref });
      if (r.kind !== 'ticket') return;
      // The requester's view of the card: no agent buttons.
      const view: View = { ...ticketCard(r.ticket, this.d.directory.desk(r.ticket.deskId), ix.locale), actions: [], select: undefined };
      return this.replies.editOriginal(ix, renderView(view).body);
    }
    if (sub === SUB_CLOSE) {
      const r = unlessHeldElsewhere(await this.d.helpdesk.handle({ type: 'ticket.close', eventId: ix.id, actor: who, ticket: ref }), ix.retry, `/ticket close ${ix.id}`);
      const t = r.kind === 'ticket' ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('notify.closed', { number: t?.number ?? number ?? '' })));
    }
    if (sub === SUB_MACRO) {
      const name = interaction.options.getString(OPT_NAME, true);
      // No `at`: a slash command leaves no message of the agent's in this channel, so the relay
      // must reach every place of the ticket, this one included (core skips only `at`).
      const r = unlessHeldElsewhere(await this.d.helpdesk.handle({ type: 'ticket.macro', eventId: ix.id, actor: who, ticket: ref, name }), ix.retry, `/ticket macro ${ix.id}`);
      const t = r.kind === 'message' && r.recorded ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('macro.sent', { name, number: t?.number ?? number ?? '' })));
    }
    if (sub === SUB_PENDING) {
      const r = unlessHeldElsewhere(await this.d.helpdesk.handle({ type: 'ticket.pend', eventId: ix.id, actor: who, ticket: ref }), ix.retry, `/ticket pend ${ix.id}`);
      const t = r.kind === 'ticket' ? r.ticket : undefined;
      return this.replies.editOriginal(ix, this.replies.plain(tr('macro.pended', { number: t?.number ?? number ?? '' })));
    }
  }

  /**
   * `/ticket macro name:` suggestions: the macro names of the ticket's desk (typed ticket, or the
   * thread's), else of the channel's desk. Only agents get names; any failure answers no choices.
   */
  async autocomplete(ix: Ix, interaction: AutocompleteInteraction): Promise<void> {
    let choices: Array<{ name: string; value: string }> = [];
    try {
      const focused = interaction.options.getFocused(true);
      const guildId = interaction.guildId ?? this.d.guildIds[0] ?? '';
      const who = discordIdentity(interaction.user, guildId);
      if (focused.name === OPT_NAME && (await this.d.directory.agentByIdentity(who))) {
        const number = interaction.options.getString(OPT_TICKET)?.trim();
        // Through core's visibility rule: a ticket of another desk does not reveal its desk's macros.
        const t = number ? await this.d.helpdesk.ticket({ number }, who).catch(() => null) : await this.ticketAt(guildId, interaction.channelId, interaction.client);
        const desk = t ? this.d.directory.desk(t.deskId) : this.d.directory.deskFor({ platform: PLATFORM, workspace: guildId, channel: interaction.channelId });
        const q = String(focused.value).trim().toLowerCase();
        choices = listMacros(desk)
          .filter((n) => n.toLowerCase().includes(q))
          .slice(0, 25) // Discord's maximum
          .map((n) => ({ name: n.slice(0, 100), value: n.slice(0, 100) }));
      }
    } catch (err) {
      this.d.log.warn({ err }, 'discord macro autocomplete failed');
    }
    await this.replies.respond(ix, InteractionResponseType.ApplicationCommandAutocompleteResult, { choices }).catch((err: unknown) => this.d.log.warn({ err }, 'could not answer autocomplete'));
  }

  /** A typed number, else the ticket whose thread (ticket thread, or thread under its card) the command was used in. */
  private async ticketRef(number: string | undefined, guildId: string, channelId: string, client: Client): Promise<TicketRefInput> {
    if (number?.trim()) return { number: number.trim() };
    const t = await this.ticketAt(guildId, channelId, client);
    if (t) return { id: t.id };
    throw new HelpdeskError('INPUT.INVALID', 'no ticket given outside a ticket thread', { detail: translator(undefined)('discord.cmd_ticket_opt') as string });
  }

  private async ticketAt(guildId: string, channelId: string, client: Client): Promise<Ticket | null> {
    const t = await this.d.helpdesk.ticketAt({ platform: PLATFORM, workspace: guildId, channel: channelId });
    if (t) return t;
    const ch = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
    const parentId = ch?.isThread() ? ch.parentId : null;
    return parentId ? this.d.helpdesk.ticketAt({ platform: PLATFORM, workspace: guildId, channel: parentId, thread: channelId }) : null;
  }
}
