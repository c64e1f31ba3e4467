import { z } from 'zod';
import { STORED_TEXT_MAX } from '../../core/views/text-limits.js';

/**
 * Schema of the Bot Framework activities the Teams adapter reads, checked at the boundary (after
 * the JSON parse, before botbuilder authenticates or routes it): strict on the type and length of
 * every field botbuilder or our bot reads, lenient on the rest (passed through to botbuilder, which
 * keeps them for conversation references). A failing activity is answered 400, counted and logged.
 */

/**
 * Texts are refused only when absurd: ten times what a ticket keeps (core's long-text policy cuts
 * at `STORED_TEXT_MAX` with a marker). In practice the 256 KiB body limit binds first; Teams itself
 * refuses activities over about 28 KB.
 */
export const TEAMS_TEXT_MAX = 10 * STORED_TEXT_MAX;

const id = z.string().min(1).max(1_024);
const name = z.string().max(1_024).nullish();
const httpUrl = z.string().max(2_048).refine((s) => s.startsWith('https://') || s.startsWith('http://'), 'not an http(s) URL');

const account = z.looseObject({ id, name, role: z.string().max(64).nullish(), aadObjectId: z.string().max(256).nullish() });
const conversation = z.looseObject({
  id,
  conversationType: z.string().max(64).nullish(),
  tenantId: z.string().max(256).nullish(),
  isGroup: z.boolean().nullish(),
  name,
});

export const teamsChannelData = z.looseObject({
  tenant: z.looseObject({ id }).nullish(),
  channel: z.looseObject({ id, name }).nullish(),
  team: z.looseObject({ id, name }).nullish(),
  eventType: z.string().max(128).nullish(),
});
export type TeamsChannelData = z.infer<typeof teamsChannelData>;

/** `TurnContext.getMentions` lower-cases every entity's type and reads `mentioned.id` of mentions. */
const entity = z
  .looseObject({ type: z.string().max(128), mentioned: z.looseObject({ id, name }).optional(), text: z.string().max(TEAMS_TEXT_MAX).optional() })
  .refine((e) => e.type.toLowerCase() !== 'mention' || e.mentioned !== undefined, { message: 'a mention names who is mentioned', path: ['mentioned'] });

/** `Action.Execute` from our cards: what `parseCardAction` reads of `value.action.data`. */
const cardActionValue = z.looseObject({
  action: z.looseObject({
    type: z.string().max(64),
    verb: z.string().max(256).optional(),
    data: z
      .looseObject({
        hd: z.looseObject({ action: z.string().max(64), ticketId: z.string().max(256), arg: z.string().max(256).optional() }).optional(),
        priority: z.string().max(64).optional(),
        comment: z.string().max(TEAMS_TEXT_MAX).optional(),
      })
      .optional(),
  }),
});

/** The "Create ticket" message action: the quoted message and the optional details typed. */
const extensionSubmitValue = z.looseObject({
  commandId: z.string().max(256).optional(),
  data: z.looseObject({ details: z.string().max(TEAMS_TEXT_MAX).optional() }).nullish(),
  messagePayload: z
    .looseObject({
      body: z.looseObject({ content: z.string().max(TEAMS_TEXT_MAX).nullish() }).nullish(),
      from: z.looseObject({ user: z.looseObject({ displayName: z.string().max(1_024).nullish() }).nullish() }).nullish(),
    })
    .nullish(),
});

/** Invokes we answer, and the value each must carry. Other invoke names reach botbuilder's defaults. */
const INVOKE_VALUES: Record<string, z.ZodType> = {
  'adaptiveCard/action': cardActionValue,
  'composeExtension/submitAction': extensionSubmitValue,
};

export const teamsActivity = z
  .looseObject({
    type: z.string().min(1).max(64),
    id: id.optional(),
    name: z.string().max(256).optional(),
    serviceUrl: httpUrl,
    channelId: z.string().min(1).max(64),
    from: account,
    recipient: account,
    conversation,
    channelData: teamsChannelData.optional(),
    text: z.string().max(TEAMS_TEXT_MAX).nullish(),
    textFormat: z.string().max(64).nullish(),
    locale: z.string().max(64).nullish(),
    replyToId: id.nullish(),
    timestamp: z.string().max(64).optional(),
    localTimestamp: z.string().max(64).optional(),
    entities: z.array(entity).max(100).nullish(),
    reactionsAdded: z.array(z.looseObject({ type: z.string().max(128) })).max(100).nullish(),
    reactionsRemoved: z.array(z.looseObject({ type: z.string().max(128) })).max(100).nullish(),
    membersAdded: z.array(account).max(1_000).nullish(),
    membersRemoved: z.array(account).max(1_000).nullish(),
    value: z.unknown().optional(),
  })
  .superRefine((a, ctx) => {
    const schema = a.type === 'invoke' && a.name ? INVOKE_VALUES[a.name] : undefined;
    if (!schema) return;
    const r = schema.safeParse(a.value);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: ['value', ...i.path] });
  });
export type TeamsActivity = z.infer<typeof teamsActivity>;

/** The kind label of a rejection: the activity type (and invoke name) when they are ones Teams sends. */
const KNOWN_TYPES = new Set(['message', 'messageReaction', 'messageUpdate', 'messageDelete', 'conversationUpdate', 'installationUpdate', 'invoke', 'event', 'typing', 'endOfConversation']);
export function teamsRejectionKind(body: unknown): string {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const type = typeof b.type === 'string' && KNOWN_TYPES.has(b.type) ? b.type : 'unknown';
  const invoke = type === 'invoke' && typeof b.name === 'string' && b.name in INVOKE_VALUES ? `:${b.name}` : '';
  return `activity.${type}${invoke}`;
}

export type TeamsParse = { ok: true; activity: TeamsActivity } | { ok: false; kind: string; error: z.ZodError };

export function parseTeamsActivity(body: unknown): TeamsParse {
  const r = teamsActivity.safeParse(body);
  return r.success ? { ok: true, activity: r.data } : { ok: false, kind: teamsRejectionKind(body), error: r.error };
}

/** The validated channel data of an activity (botbuilder types it `any`). */
export const channelDataOf = (a: { channelData?: unknown }): TeamsChannelData | undefined => {
  const r = teamsChannelData.safeParse(a.channelData);
  return r.success ? r.data : undefined;
};

const extensionData = z.looseObject({ details: z.string().max(TEAMS_TEXT_MAX) });
/** The "details" typed in the Create-ticket task module, if any. */
export const extensionDetailsOf = (data: unknown): string => {
  const r = extensionData.safeParse(data);
  return r.success ? r.data.details.trim() : '';
};
