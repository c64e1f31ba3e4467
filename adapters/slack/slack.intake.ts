import type { App, ReceiverEvent } from '@slack/bolt';
import { translator } from '../../core/i18n/index.js';
import type { AnswerOnce, InboundIntake, IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';
import { deskAt, type SlackInboundDeps } from './slack.context.js';
import { MODAL, parseHelpModal, readInput, type StateValues } from './slack.modal.js';

type Body = Record<string, unknown> & {
  type?: string;
  command?: string;
  text?: string;
  trigger_id?: string;
  event_id?: string;
  team_id?: string;
  actions?: Array<{ action_ts?: string; action_id?: string }>;
  view?: { id?: string; callback_id?: string; private_metadata?: string; state?: { values?: StateValues } };
  team?: { id?: string } | null;
  user?: { id?: string; team_id?: string };
};

/** What Bolt's context carries in replayed requests (see `answerOnceOf`). */
const ANSWER_ONCE = 'helpdeskAnswerOnce';

/**
 * The kind and platform id of a Slack payload, or undefined when it must be answered in the
 * request itself (nothing durable to do: `/help` with no text opens a modal with a 3-second
 * trigger_id; options requests answer with the list).
 */
export function slackRequestId(b: Body): { kind: string; id: string } | undefined {
  if (typeof b.command === 'string') {
    if (!String(b.text ?? '').trim() || !b.trigger_id) return undefined;
    return { kind: 'command', id: b.trigger_id };
  }
  if (b.type === 'event_callback') return b.event_id ? { kind: 'event', id: b.event_id } : undefined;
  if (b.type === 'block_actions') {
    const a = b.actions?.[0];
    return b.trigger_id || a?.action_ts ? { kind: 'action', id: `${b.trigger_id ?? ''}.${a?.action_id ?? ''}.${a?.action_ts ?? ''}` } : undefined;
  }
  if (b.type === 'view_submission' || b.type === 'view_closed') return b.view?.id ? { kind: b.type === 'view_closed' ? 'view-closed' : 'view', id: b.view.id } : undefined;
  if (b.type === 'message_action' || b.type === 'shortcut') return b.trigger_id ? { kind: 'shortcut', id: b.trigger_id } : undefined;
  return undefined;
}

/**
 * A modal submission Slack must be told is invalid in the acknowledgement itself (the modal stays
 * open with the errors); checked here with the same parsers the listeners use, before recording.
 */
function viewSubmissionErrors(d: SlackInboundDeps, b: Body): Record<string, unknown> | undefined {
  if (b.type !== 'view_submission' || !b.view) return undefined;
  const workspace = b.team?.id ?? b.user?.team_id ?? '';
  if (b.view.callback_id === MODAL.help) {
    let meta: { desk?: string; channel?: string } = {};
    try {
      meta = JSON.parse(b.view.private_metadata || '{}') as typeof meta;
    } catch {
      /* the listener treats it the same */
    }
    const desk = (meta.desk ? d.directory.desks().find((k) => k.id === meta.desk) : undefined) ?? deskAt(d, workspace, meta.channel);
    if (!desk) return undefined;
    const input = parseHelpModal(b.view as never, desk, desk.locale);
    return input.ok ? undefined : { response_action: 'errors', errors: input.errors };
  }
  if (b.view.callback_id === MODAL.note) {
    const text = readInput(b.view.state?.values, 'note');
    if (!text) return { response_action: 'errors', errors: { note: translator(d.deskLocale)('error.INPUT.INVALID', { detail: '—' }) } };
  }
  return undefined;
}

/**
 * Durable intake for Slack: stands between Bolt's receiver (HTTP or Socket Mode, which verify the
 * signature) and the App. A request is recorded in the intake queue and only then acknowledged
 * (an empty 200); the App's listeners run on it later in an intake worker (`replay`), where their
 * own `ack()` does nothing. Requests with nothing durable to do run at once, as before.
 */
export function slackIntakeReceiverApp(app: App, d: SlackInboundDeps, intake: InboundIntake): Pick<App, 'processEvent'> {
  return {
    processEvent: async (ev: ReceiverEvent) => {
      const body = ev.body as Body;
      const req = slackRequestId(body);
      if (!req) return app.processEvent(ev);
      const errors = viewSubmissionErrors(d, body);
      if (errors) return ev.ack(errors);
      const envelope: IntakeEnvelope = {
        v: 1,
        platform: 'slack',
        kind: req.kind,
        id: req.id,
        receivedAt: Date.now(),
        ...(ev.retryNum ? { retryNum: ev.retryNum } : {}),
        payload: body,
      };
      // Not acknowledged when Redis cannot take it: Slack shows the person an error (and retries events).
      await intake.record(envelope);
      await ev.ack();
    },
  };
}

/** Runs the App's listeners on a recorded request (in an intake worker). Errors reject (the job retries). */
export async function replaySlack(app: App, e: IntakeEnvelope, m: IntakeAttempt): Promise<void> {
  let failure: unknown;
  await app.processEvent({
    body: e.payload,
    ack: async () => {},
    ...(e.retryNum ? { retryNum: e.retryNum } : {}),
    customProperties: { [ANSWER_ONCE]: m.answerOnce, [FINAL]: m.final, helpdeskIntake: (err: unknown) => (failure = err) },
  });
  if (failure) throw failure;
}

const FINAL = 'helpdeskIntakeFinal';

/**
 * For `replyOnError`'s `retry`: in a replayed request that will be tried again, infrastructure
 * errors go back to the intake (retried with backoff) instead of becoming an error reply.
 */
export function retryInIntake(context: Record<string, unknown>): ((err: unknown) => boolean) | undefined {
  return context[FINAL] === false ? () => true : undefined;
}

/** The context's answer-once guard when the request came through the intake. */
export function answerOnceOf(context: Record<string, unknown>): AnswerOnce | undefined {
  const f = context[ANSWER_ONCE];
  return typeof f === 'function' ? (f as AnswerOnce) : undefined;
}

/** Reports a listener error to the replay that is running (so its job is retried); false outside a replay. */
export function failReplay(context: Record<string, unknown> | undefined, err: unknown): boolean {
  const f = context?.helpdeskIntake;
  if (typeof f !== 'function') return false;
  (f as (e: unknown) => void)(err);
  return true;
}
