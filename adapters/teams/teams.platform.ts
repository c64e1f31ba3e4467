import { TeamsInfo, TurnContext, type Activity, type CloudAdapter, type ConversationParameters, type ConversationReference } from 'botbuilder';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { t } from '../../core/i18n/index.js';
import { PlatformError, type ChatPlatform, type PlatformCapabilities, type Posted, type PostTarget } from '../../core/ports/chat-platform.port.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { View } from '../../core/views/view.js';
import { toPlatformError } from './teams.errors.js';
import { messageDeepLink, splitConversationId, threadedConversationId } from './teams.ids.js';
import type { TeamsInstallStore } from './teams.installs.js';
import { renderActivity, viewTicketId, type RenderOptions } from './teams.renderer.js';

/** What a Teams link keeps as opaque `data`: the conversation reference to continue later. */
export interface TeamsLinkData extends Record<string, unknown> {
  ref: Partial<ConversationReference>;
}

export interface TeamsPlatformOptions {
  adapter: CloudAdapter;
  /** The bot's app id; any non-empty string when auth is off. */
  botAppId: string;
  store: TicketStore;
  directory: Directory;
  installs: TeamsInstallStore;
  /**
   * Service URL for tenants the bot has not heard from yet (proactive posts into tier channels).
   * @defaultValue `https://smba.trafficmanager.net/teams/`
   */
  serviceUrl?: string;
  log: Logger;
}

export const DEFAULT_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

/**
 * Sends as a new message in the conversation (`POST …/activities`). A continued conversation's
 * context carries a made-up activity id that the SDK would otherwise turn into a `replyToId`.
 */
async function sendNew(ctx: TurnContext, activity: Partial<Activity>): Promise<string | undefined> {
  ctx.onSendActivities(async (_c, activities, next) => {
    for (const a of activities) delete a.replyToId;
    return next();
  });
  return (await ctx.sendActivity(activity))?.id;
}

const refOf = (data: Record<string, unknown> | undefined): Partial<ConversationReference> | undefined =>
  data && typeof data.ref === 'object' && data.ref !== null ? (data.ref as Partial<ConversationReference>) : undefined;

/**
 * Outbound side of the Teams adapter: every send is proactive (`continueConversationAsync` on a
 * stored ConversationReference), new tier-channel posts go through `TeamsInfo.sendMessageToTeamsChannel`
 * (a new conversation = a new thread), and DMs create the 1:1 conversation. Connector failures
 * become PlatformError so the delivery queue retries throttling and gateway errors.
 */
export class TeamsPlatform implements ChatPlatform {
  readonly platform = 'teams' as const;
  readonly capabilities: PlatformCapabilities = { ephemeral: false, reactions: true, threads: true, editMessages: true };

  constructor(private readonly o: TeamsPlatformOptions) {}

  async post(target: PostTarget, view: View): Promise<Posted> {
    const activity = renderActivity(view, await this.renderOptions(view));
    const stored = refOf(target.data);
    if (!stored && !target.thread) return this.newChannelPost(target, activity);
    const ref = await this.refFor(target.workspace, target.channel, target.thread, stored);
    let id: string | undefined;
    try {
      await this.o.adapter.continueConversationAsync(this.o.botAppId, ref, async (ctx) => {
        id = await sendNew(ctx, activity);
      });
    } catch (err) {
      throw toPlatformError(err, 'post');
    }
    return { channel: target.channel, message: id ?? '', thread: target.thread, data: { ref } satisfies TeamsLinkData };
  }

  async update(link: Link, view: View): Promise<void> {
    // A link with no message (a DM conversation) has nothing to edit: a permanent failure, as on the
    // other platforms, not a silent success that would leave the caller believing the card changed.
    if (!link.message) throw new PlatformError('teams update: link has no message', false);
    const ref = await this.refFor(link.workspace, link.channel, link.thread ?? link.message, refOf(link.data));
    const activity = { ...renderActivity(view, await this.renderOptions(view)), id: link.message } as Partial<Activity>;
    try {
      await this.o.adapter.continueConversationAsync(this.o.botAppId, ref, async (ctx) => {
        await ctx.updateActivity(activity);
      });
    } catch (err) {
      throw toPlatformError(err, 'update');
    }
  }

  async dm(person: Identity, view: View): Promise<Posted> {
    const activity = renderActivity(view, await this.renderOptions(view));
    const serviceUrl = await this.serviceUrl(person.workspace);
    const params = {
      isGroup: false,
      bot: { id: this.o.botAppId, name: '' },
      members: [{ id: person.user, name: person.name ?? '' }],
      tenantId: person.workspace,
      channelData: { tenant: { id: person.workspace } },
    } as ConversationParameters;
    let ref: Partial<ConversationReference> | undefined;
    try {
      await this.o.adapter.createConversationAsync(this.o.botAppId, 'msteams', serviceUrl, null as unknown as string, params, async (ctx) => {
        // The context's activity is a synthetic "create conversation" event whose id is the
        // conversation id: keep the reference without it, or sends would be replies to nothing.
        const { activityId: _ignored, ...created } = TurnContext.getConversationReference(ctx.activity);
        ref = { ...created, user: { id: person.user, name: person.name ?? '' }, conversation: { ...created.conversation!, tenantId: person.workspace, conversationType: 'personal' } };
      });
      let id: string | undefined;
      await this.o.adapter.continueConversationAsync(this.o.botAppId, ref as ConversationReference, async (ctx) => {
        id = await sendNew(ctx, activity);
      });
      return { channel: ref!.conversation!.id, message: id ?? '', data: { ref: ref! } satisfies TeamsLinkData };
    } catch (err) {
      throw toPlatformError(err, 'dm');
    }
  }

  /** A new post in a channel starts a new thread: Teams models it as a new conversation. */
  private async newChannelPost(target: PostTarget, activity: Partial<Activity>): Promise<Posted> {
    const seed = await this.refFor(target.workspace, target.channel, undefined, undefined);
    let ref: Partial<ConversationReference> | undefined;
    let activityId: string | undefined;
    try {
      await this.o.adapter.continueConversationAsync(this.o.botAppId, seed, async (ctx) => {
        [ref, activityId] = await TeamsInfo.sendMessageToTeamsChannel(ctx, activity as Activity, target.channel, this.o.botAppId);
      });
    } catch (err) {
      throw toPlatformError(err, 'channel post');
    }
    // Under CloudAdapter the SDK hands back the new conversation id as the "activity id"; the real
    // message id is the `;messageid=` part of the thread's conversation id.
    const convId = ref?.conversation?.id ?? activityId ?? '';
    const message = splitConversationId(convId).thread ?? activityId ?? convId;
    const { activityId: _ignored, ...created } = ref ?? {};
    const stored: Partial<ConversationReference> = {
      ...created,
      bot: seed.bot,
      conversation: { ...created.conversation!, id: threadedConversationId(target.channel, message), tenantId: target.workspace, conversationType: 'channel', isGroup: true },
    };
    return { channel: target.channel, message, data: { ref: stored } satisfies TeamsLinkData };
  }

  /** A reference for a place: the stored one (re-pointed at the thread) or one built from ids. */
  private async refFor(tenantId: string, channel: string, thread: string | undefined, stored: Partial<ConversationReference> | undefined): Promise<ConversationReference> {
    const serviceUrl = stored?.serviceUrl ?? (await this.serviceUrl(tenantId));
    const conversationId = thread ? threadedConversationId(channel, thread) : (stored?.conversation?.id ?? channel);
    return {
      channelId: 'msteams',
      serviceUrl,
      bot: stored?.bot ?? { id: this.o.botAppId, name: '' },
      user: stored?.user,
      locale: stored?.locale,
      conversation: { ...(stored?.conversation ?? { isGroup: true, conversationType: 'channel', name: '' }), id: conversationId, tenantId },
    } as ConversationReference;
  }

  private async serviceUrl(tenantId: string): Promise<string> {
    return (await this.o.installs.serviceUrlFor(tenantId)) ?? this.o.serviceUrl ?? DEFAULT_SERVICE_URL;
  }

  /** The CSAT card's comment box speaks the requester's language; escalations link back to tier 1. */
  private async renderOptions(view: View): Promise<RenderOptions> {
    if (view.kind !== 'csat' && view.kind !== 'escalation') return {};
    const id = viewTicketId(view);
    const ticket = id ? await this.o.store.get(id).catch(() => null) : null;
    if (!ticket) return {};
    const locale = ticket.locale ?? this.o.directory.desk(ticket.deskId).locale;
    if (view.kind === 'csat') return { locale };
    const desk = this.o.directory.desk(ticket.deskId);
    const back = ticket.links
      .filter((l) => l.platform === 'teams' && l.role === 'triage' && l.message && (l.tier ?? 1) < ticket.tier)
      .sort((a, b) => (b.tier ?? 1) - (a.tier ?? 1))[0];
    return back ? { linkBack: { label: t(desk.locale, 'notify.link_back'), url: messageDeepLink(back.channel, back.message!) } } : {};
  }
}
