import type { Activity, TurnContext } from 'botbuilder';
import type { IntakeAttempt, IntakeEnvelope } from '../shared/intake.js';

/**
 * Durable intake for Teams (docs/storm.md). Message, reaction and conversation-update activities are
 * recorded (job id = conversation + activity id, so a Bot Framework redelivery is the same job)
 * and answered `200` at once; an intake worker runs the bot's turn on the recorded activity later,
 * with the bot's own identity (the inbound token has expired by then), and its replies go to the
 * activity's stored serviceUrl and conversation as proactive messages do. Invokes (card buttons,
 * message actions) must carry their answer in the HTTP response: they run in the request, with a
 * recorded copy that only a crash leaves behind (it runs once the Teams deadline has passed).
 */

/** Activity types whose answer needs nothing in the HTTP response. */
const DEFERRED = new Set(['message', 'messageReaction', 'conversationUpdate']);

/** The turn-state key under which a replayed turn finds its intake attempt. */
const ATTEMPT = Symbol.for('helpdesk.teams.intakeAttempt');

/** How long the crash copy of an invoke waits before a worker runs it: after Teams' 15-second deadline. */
export const INVOKE_SAFETY_DELAY_MS = 20_000;

/** The platform id of an activity: activity ids are unique within a conversation. */
export const teamsRequestId = (a: Pick<Activity, 'id' | 'conversation'>): string | undefined => (a.id && a.conversation?.id ? `${a.conversation.id}|${a.id}` : undefined);

/** True when the activity is acknowledged on recording and processed later (not an invoke). */
export const isDeferred = (a: Pick<Activity, 'type'>): boolean => DEFERRED.has(a.type);

export function teamsEnvelope(a: Activity, id: string, callerId: string | undefined): IntakeEnvelope {
  return {
    v: 1,
    platform: 'teams',
    kind: a.type,
    id,
    receivedAt: Date.now(),
    payload: a as unknown as Record<string, unknown>,
    ...(callerId ? { reply: { callerId } } : {}),
  };
}

/** Marks a replayed turn with its attempt (answers once; infrastructure errors go back to the intake). */
export function markReplay(ctx: TurnContext, attempt: IntakeAttempt): void {
  ctx.turnState.set(ATTEMPT, attempt);
}

/** The intake attempt of a replayed turn, undefined in a turn served in its request. */
export const replayOf = (ctx: TurnContext): IntakeAttempt | undefined => ctx.turnState.get(ATTEMPT) as IntakeAttempt | undefined;
