import type { ChatPlatform } from '../ports/chat-platform.port.js';
import type { Delivery, StormCardOp } from '../ports/delivery.port.js';
import type { Directory } from '../ports/directory.port.js';
import type { TextSignature } from '../ports/text-signature.port.js';
import type { StormCard, TriageStorm } from '../ports/triage-storm.port.js';
import { stormCardView } from '../views/storm-card.view.js';
import { groupNearIdentical, type TicketGroup } from './group-tickets.js';

export interface StormCardDeps {
  directory: Pick<Directory, 'desk'>;
  storm: TriageStorm;
  signature: TextSignature;
}

/**
 * How long a render may hold its card: longer than any platform call (Discord's REST timeout is 15 s),
 * so two renders never interleave; a render that died frees the card after it.
 */
export const STORM_RENDER_HOLD_MS = 30_000;
/** Tickets arriving within this window share one render of their storm card. */
export const STORM_RENDER_DEBOUNCE_MS = 2_000;

/** The delivery op that renders a storm card at generation `gen` (one job per generation). */
export function stormCardOp(cardId: string, ch: { platform: StormCardOp['platform']; channel: string }, gen: number, delayMs = STORM_RENDER_DEBOUNCE_MS): StormCardOp {
  return { kind: 'storm_card', key: `storm:${cardId}:g${gen}`, platform: ch.platform, channel: ch.channel, cardId, delayMs };
}

/** The groups of near-identical tickets on a storm card, as it shows them (for incidents, consoles). */
export function stormCardGroups(deps: Pick<StormCardDeps, 'signature'>, card: StormCard): TicketGroup[] {
  return groupNearIdentical(card.tickets, deps.signature);
}

/**
 * Renders a storm card from its state now: posts it the first time, edits it in place after. One
 * render at a time per card (a render lock in the storm state): a render that finds the card busy
 * asks for another one later instead of racing the holder (which could land an older list last).
 * Safe to repeat: the delivery queue's sent markers make a retried job reuse its post.
 */
export async function flushStormCard(deps: StormCardDeps, platform: ChatPlatform, cardId: string, again: Delivery): Promise<void> {
  const begun = await deps.storm.beginFlush(cardId, STORM_RENDER_HOLD_MS);
  if (!begun) return; // state expired: nothing left to show
  const { card } = begun;
  if (!begun.locked) {
    await again.send(stormCardOp(cardId, card.channel, await deps.storm.touch(cardId)));
    return;
  }
  try {
    // The summaries kept with the card: a render reads no database.
    const tickets = card.tickets;
    const desk = deps.directory.desk(card.channel.deskId);
    const view = stormCardView(tickets, groupNearIdentical(tickets, deps.signature), desk, card.closed, desk.locale, card.channel.tier);
    const ch = card.channel;
    if (!card.posted) {
      const posted = await platform.post({ workspace: ch.workspace, channel: ch.channel }, view);
      await deps.storm.setPosted(cardId, posted);
    } else {
      const p = card.posted;
      await platform.update({ platform: ch.platform, workspace: ch.workspace, channel: p.channel, message: p.message, ...(p.thread ? { thread: p.thread } : {}), ...(p.data ? { data: p.data } : {}), role: 'triage', tier: ch.tier }, view);
    }
  } finally {
    await deps.storm.endFlush(cardId);
  }
}
