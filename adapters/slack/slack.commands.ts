import type { App } from '@slack/bolt';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import { translator } from '../../core/i18n/index.js';
import { noticeView, ticketListView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { runAgentCommand } from '../shared/agent-commands.js';
import { parseHelpCommand } from '../shared/help-command.js';
import { replyOnError } from '../shared/reply-on-error.js';
import { openedView, statusView } from '../shared/result-views.js';
import { deskAt, ephemeral, localeOf, slackPerson, type SlackInboundDeps } from './slack.context.js';
import { helpModal } from './slack.modal.js';
import { helpRequestEvent } from '../shared/help-request.js';
import { answerOnceOf, retryInIntake } from './slack.intake.js';
import { payloadOf } from './slack.payloads.js';

/**
 * `/help [text]` and its sub-commands. Acknowledges first (an empty 200 within milliseconds), then
 * does the work and answers through `respond` (the command's response_url, ephemeral).
 */
export function registerCommands(app: App, d: SlackInboundDeps): void {
  app.command(d.command, async ({ ack, respond, context }) => {
    await ack();
    const { command } = payloadOf(context, 'command');
    const workspace = command.team_id;
    const actor = await slackPerson(d, workspace, command.user_id, command.user_name);
    const desk = deskAt(d, workspace, command.channel_id);
    const locale = (await localeOf(d, actor)) ?? desk?.locale ?? d.deskLocale;
    const tr = translator(locale, desk?.locale ?? d.deskLocale);
    const eventId = `slack:cmd:${command.trigger_id}`;
    const retried = (context.retryNum ?? 0) > 0;
    const reply = (v: View) => respond(ephemeral(v));
    const log = d.log.child({ slack: 'command', user: actor.user, channel: command.channel_id });
    const parsed = parseHelpCommand(command.text ?? '');

    await replyOnError(
      async () => {
        if (!desk) throw new HelpdeskError('DESK.NOT_FOUND', 'no desk for this channel', {});
        switch (parsed.kind) {
          case 'empty':
            await d.client.views.open({
              trigger_id: command.trigger_id,
              view: helpModal(desk, locale, { channel: command.channel_id, responseUrl: command.response_url }) as never,
            });
            return;
          case 'usage':
            await reply(noticeView(`${tr('usage.help')}\n${tr('usage.agent')}`));
            return;
          case 'open': {
            const r = await d.helpdesk.handle(helpRequestEvent(eventId, actor, locale, { text: parsed.text, origin: { platform: 'slack', workspace, channel: command.channel_id } }));
            // Through the intake, "duplicate" (or "opened" with `running`: its route may be stored but not
            // announced) means an earlier attempt holds the request's claim (it was killed mid-way; the
            // claim expires with its lease): try again later, when the request's own retry finishes it.
            if ((r.kind === 'duplicate' || (r.kind === 'opened' && r.running)) && retryInIntake(context)) throw new Error('help request claimed by an earlier attempt; retried after its lease');
            if (r.kind !== 'opened' || (retried && !r.created)) return; // the first delivery answered
            const once = answerOnceOf(context);
            // Processed again after a crash: the answer replaces one an earlier attempt may have sent.
            if (once) await once(eventId, async (resend) => void (await respond(ephemeral(openedView(r, desk, locale), resend))));
            else await reply(openedView(r, desk, locale));
            return;
          }
          case 'mine':
          case 'status':
          case 'queue': {
            const e: InboundEvent =
              parsed.kind === 'mine'
                ? { type: 'query.mine', eventId, actor }
                : parsed.kind === 'status'
                  ? { type: 'query.status', eventId, actor, ticket: { number: parsed.ticket } }
                  : { type: 'query.queue', eventId, actor, ...queueOf(d, workspace, command.channel_id, desk.id) };
            const r = await d.helpdesk.handle(e);
            if (r.kind === 'ticket') await reply(statusView(r.ticket, locale));
            if (r.kind === 'tickets') {
              const q = e.type === 'query.queue' ? e : undefined;
              const title = q ? tr('list.queue_title', { desk: d.directory.desk(q.deskId).name, tier: q.tier ?? 1 }) : tr('list.mine_title');
              await reply(ticketListView(title, r.tickets, locale));
            }
            return;
          }
          case 'macro':
          case 'macros':
          case 'pending':
          case 'report':
          case 'incident': {
            // Sent with no `at`: the slash command leaves no message of the agent's, so the card
            // thread gets the rendered macro through the relay like the requester does.
            const v = await runAgentCommand(parsed, { helpdesk: d.helpdesk, directory: d.directory, actor, eventId, locale, desk });
            if (v) await reply(v);
            return;
          }
          case 'escalate':
          case 'resolve': {
            const e: InboundEvent =
              parsed.kind === 'escalate'
                ? { type: 'ticket.escalate', eventId, actor, ticket: { number: parsed.ticket }, ...(parsed.reason ? { reason: parsed.reason } : {}) }
                : { type: 'ticket.resolve', eventId, actor, ticket: { number: parsed.ticket }, ...(parsed.note ? { note: parsed.note } : {}) };
            const r = await d.helpdesk.handle(e);
            if (r.kind !== 'ticket') return; // duplicate: answered the first time
            const t = r.ticket;
            const tierName = d.directory.desk(t.deskId).tiers.find((x) => x.level === t.tier)?.name ?? tr('ticket.tier', { tier: t.tier });
            await reply(
              noticeView(
                parsed.kind === 'escalate' ? tr('notify.escalated', { number: t.number, tier: tierName }) : tr('notify.resolved', { number: t.number, agent: actor.name ?? actor.user }),
                parsed.kind === 'escalate' ? 'escalated' : 'resolved',
              ),
            );
            return;
          }
        }
      },
      reply,
      { locale, log, context: { kind: parsed.kind }, retry: retryInIntake(context) },
    );
  });
}

/** `/help tickets` in a tier channel lists that tier's queue; elsewhere the agent's own tier. */
function queueOf(d: SlackInboundDeps, workspace: string, channel: string, fallbackDesk: string): { deskId: string; tier?: number } {
  const at = d.directory.tierChannel({ platform: 'slack', workspace, channel });
  return at ? { deskId: at.desk.id, tier: at.tier } : { deskId: fallbackDesk };
}
