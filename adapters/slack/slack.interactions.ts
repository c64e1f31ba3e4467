import type { App } from '@slack/bolt';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import { translator } from '../../core/i18n/index.js';
import { STORM_CLAIM_ARG, stormClaimedView } from '../../core/views/storm-card.view.js';
import { noticeView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';
import { decodeAction } from '../shared/action-codec.js';
import { actionToEvent } from '../shared/action-events.js';
import { replyOnError } from '../shared/reply-on-error.js';
import { deflectionOutcomeView, openedView } from '../shared/result-views.js';
import { deskAt, ephemeral, localeOf, postToResponseUrl, SHORTCUT_CREATE_TICKET, slackPerson, type SlackInboundDeps } from './slack.context.js';
import { fileMessage } from './slack.file-message.js';
import { csatModal, MODAL, noteModal, parseHelpModal, readInput, type CsatMeta } from './slack.modal.js';
import { payloadOf, type SlackViewBody } from './slack.payloads.js';
import { renderView } from './slack.renderer.js';
import { helpRequestEvent } from '../shared/help-request.js';

type Payload = Pick<SlackViewBody, 'team' | 'user'>;
const workspaceOf = (b: Payload) => b.team?.id ?? b.user.team_id ?? '';
/** The person acting, named from their profile (not the payload's legacy `user.name` handle). */
const actorOf = (d: SlackInboundDeps, b: Payload): Promise<Identity> => slackPerson(d, workspaceOf(b), b.user.id, b.user.name ?? b.user.username);

/** Buttons and selects (`hd:*`), the help/note/CSAT modals, and the "Create ticket" message shortcut. */
export function registerInteractions(app: App, d: SlackInboundDeps): void {
  app.action({ type: 'block_actions', action_id: /^hd:/ }, async ({ ack, respond, context }) => {
    await ack();
    const { body } = payloadOf(context, 'block_actions');
    // Bolt dispatches the first action of a block_actions body.
    const action = body.actions[0]!;
    const actor = await actorOf(d, body);
    const raw = action.value ?? action.selected_option?.value;
    const decoded = decodeAction(raw);
    const locale = (await localeOf(d, actor)) ?? d.deskLocale;
    const log = d.log.child({ slack: 'action', user: actor.user, action: action.action_id });
    const reply = (v: View) => respond(ephemeral(v));
    if (!decoded) return log.warn({}, 'ignoring an action we did not encode');
    const eventId = `slack:action:${body.trigger_id ?? ''}:${action.action_id}:${action.action_ts ?? ''}`;
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;

    await replyOnError(
      async () => {
        if (decoded.action === 'note') {
          // Agents of the ticket's desk only; anyone else gets the same answer as for a missing ticket.
          const t = await d.helpdesk.ticket({ id: decoded.ticketId }, actor);
          const agent = await d.directory.agentByIdentity(actor);
          if (!agent?.desks.some((x) => x.desk === t.deskId)) throw new HelpdeskError('TICKET.NOT_AGENT', 'notes are for agents', { ticket: t.number });
          await d.client.views.open({ trigger_id: body.trigger_id ?? '', view: noteModal(t.id, t.number, locale) as never });
          return;
        }
        if (decoded.action === 'rate') {
          const t = await d.helpdesk.ticket({ id: decoded.ticketId }, actor);
          const meta: CsatMeta = { ticketId: t.id, score: Number(decoded.arg), ...(channel ? { channel } : {}), ...(messageTs ? { ts: messageTs } : {}) };
          try {
            await d.client.views.open({ trigger_id: body.trigger_id ?? '', view: csatModal(meta, t.number, locale ?? t.locale) as never });
          } catch (err) {
            // No comment dialog (trigger expired, API hiccup): store the score alone rather than lose it.
            log.warn({ err }, 'views.open failed; rating without a comment');
            await rate(d, actor, meta, undefined, eventId);
          }
          return;
        }
        const e = actionToEvent(decoded, actor, eventId);
        if (!e) return;
        const r = await d.helpdesk.handle(e);
        if (r.kind === 'duplicate') return;
        if ((e.type === 'deflection.solved' || e.type === 'deflection.need_help') && r.kind === 'ticket') {
          await respond(ephemeral(deflectionOutcomeView(r.ticket, d.directory.desk(r.ticket.deskId), locale), true));
        }
        // A storm card's claim: the claimer is told which ticket and given its console page, since a
        // storm-card ticket has no card or thread in chat. Other card actions need no reply: the
        // notifier edits the card in place for everyone.
        if (decoded.action === 'claim' && decoded.arg === STORM_CLAIM_ARG && r.kind === 'ticket') {
          await respond(ephemeral(stormClaimedView(r.ticket, locale, d.helpdesk.consoleUrl?.(r.ticket.number))));
        }
      },
      reply,
      { locale, log },
    );
  });

  app.view(MODAL.help, async ({ ack, context }) => {
    const { body } = payloadOf(context, 'view');
    const { view } = body;
    const actor = await actorOf(d, body);
    const meta = safeJson<{ desk?: string; channel?: string; responseUrl?: string }>(view.private_metadata);
    const desk = (meta.desk ? d.directory.desks().find((k) => k.id === meta.desk) : undefined) ?? deskAt(d, actor.workspace, meta.channel);
    if (!desk) return ack();
    const locale = (await localeOf(d, actor)) ?? desk.locale;
    const input = parseHelpModal(view, desk, locale);
    if (!input.ok) return ack({ response_action: 'errors', errors: input.errors });
    await ack();
    const reply = async (v: View) => {
      if (meta.responseUrl) return postToResponseUrl(meta.responseUrl, ephemeral(v));
      await d.platform.dm(actor, v);
    };
    const eventId = `slack:view:${view.id}`;
    await replyOnError(
      async () => {
        const r = await d.helpdesk.handle(
          helpRequestEvent(eventId, actor, locale, {
            subject: input.subject,
            text: input.details || input.subject,
            ...(input.category ? { category: input.category } : {}),
            ...(input.priority ? { priority: input.priority } : {}),
            origin: { platform: 'slack', workspace: actor.workspace, ...(meta.channel ? { channel: meta.channel } : {}) },
            deskId: desk.id,
          }),
        );
        if (r.kind === 'opened' && r.created) await reply(openedView(r, desk, locale));
      },
      reply,
      { locale, log: d.log.child({ slack: 'view', view: MODAL.help }) },
    );
  });

  app.view(MODAL.note, async ({ ack, context }) => {
    const { body } = payloadOf(context, 'view');
    const { view } = body;
    const actor = await actorOf(d, body);
    const { ticketId } = safeJson<{ ticketId?: string }>(view.private_metadata);
    const text = readInput(view.state?.values, 'note');
    const locale = (await localeOf(d, actor)) ?? d.deskLocale;
    if (!ticketId || !text) return ack({ response_action: 'errors', errors: { note: translator(locale)('error.INPUT.INVALID', { detail: '—' }) } });
    await ack();
    await replyOnError(
      async () => {
        await d.helpdesk.handle({ type: 'ticket.message', eventId: `slack:view:${view.id}`, actor, ticket: { id: ticketId }, text, internal: true });
      },
      (v) => d.platform.dm(actor, v),
      { locale, log: d.log.child({ slack: 'view', view: MODAL.note }) },
    );
  });

  const onCsat = async (body: SlackViewBody, withComment: boolean) => {
    const { view } = body;
    const actor = await actorOf(d, body);
    const meta = safeJson<CsatMeta>(view.private_metadata);
    const comment = withComment ? readInput(view.state?.values, 'comment') : undefined;
    const locale = (await localeOf(d, actor)) ?? d.deskLocale;
    await replyOnError(
      () => rate(d, actor, meta, comment, `slack:view:${view.id}`),
      (v) => (meta.channel ? d.platform.ephemeral(meta.channel, actor.user, v) : d.platform.dm(actor, v)),
      { locale, log: d.log.child({ slack: 'view', view: MODAL.csat }) },
    );
  };
  app.view(MODAL.csat, async ({ ack, context }) => {
    await ack();
    await onCsat(payloadOf(context, 'view').body, true);
  });
  app.view({ callback_id: MODAL.csat, type: 'view_closed' }, async ({ ack, context }) => {
    await ack();
    await onCsat(payloadOf(context, 'view').body, false);
  });

  app.shortcut({ type: 'message_action', callback_id: SHORTCUT_CREATE_TICKET }, async ({ ack, respond, context }) => {
    await ack();
    const { body: shortcut } = payloadOf(context, 'message_action');
    const reporter = await slackPerson(d, shortcut.team?.id ?? shortcut.user.team_id ?? '', shortcut.user.id, shortcut.user.name);
    const locale = (await localeOf(d, reporter)) ?? d.deskLocale;
    const msg = shortcut.message;
    await replyOnError(
      async () => {
        const { ticket } = await fileMessage(d, {
          workspace: reporter.workspace,
          channel: shortcut.channel.id,
          ts: msg.ts,
          ...(msg.thread_ts ? { threadTs: msg.thread_ts } : {}),
          ...(msg.user ? { author: msg.user } : {}),
          ...(msg.text ? { text: msg.text } : {}),
          reporter,
          eventId: `slack:shortcut:${shortcut.trigger_id}`,
        });
        const desk = d.directory.desk(ticket.deskId);
        await respond(ephemeral(noticeView(translator(locale, desk.locale)('intake.received', { number: ticket.number }), 'new')));
      },
      (v) => respond(ephemeral(v)),
      { locale, log: d.log.child({ slack: 'shortcut' }) },
    );
  });
}

/** Stores the CSAT answer once and turns the question message into a thank-you. */
async function rate(d: SlackInboundDeps, actor: Identity, meta: Partial<CsatMeta>, comment: string | undefined, eventId: string): Promise<void> {
  if (!meta.ticketId) throw new HelpdeskError('INPUT.INVALID', 'csat without ticket', { detail: 'ticket' });
  const e = actionToEvent({ action: 'rate', ticketId: meta.ticketId, arg: String(meta.score) }, actor, eventId, { ...(comment ? { comment } : {}) });
  if (!e) throw new HelpdeskError('INPUT.INVALID', 'csat without score', { detail: 'score' });
  const r = await d.helpdesk.handle(e);
  if (r.kind !== 'ticket' || !meta.channel || !meta.ts) return;
  const t = r.ticket;
  const tr = translator(t.locale, d.directory.desk(t.deskId).locale);
  const text = [tr('csat.thanks', { number: t.number, score: meta.score }), comment ? tr('csat.comment_saved') : ''].filter(Boolean).join(' ');
  await d.client.chat.update({ channel: meta.channel, ts: meta.ts, ...renderView(noticeView(text, 'resolved')) }).catch((err: unknown) => d.log.warn({ err }, 'could not update the CSAT question'));
}

function safeJson<T extends object>(s: string | undefined): Partial<T> {
  try {
    const v: unknown = JSON.parse(s || '{}');
    return v && typeof v === 'object' ? (v as Partial<T>) : {};
  } catch {
    return {};
  }
}
