/** Inbound activities shaped as Microsoft Teams sends them to a bot's messaging endpoint. */
let seq = 0;
const nextId = () => `1701${String(100000000 + ++seq)}`;

export const BOT = { id: '28:helpdesk-bot', name: 'Helpdesk' };
export const TENANT = 'tenant1';
export const TEAM = '19:team-general@thread.tacv2';

export interface TeamsUser {
  id: string;
  name: string;
}

const base = (serviceUrl: string, from: TeamsUser, locale = 'en-US') => ({
  channelId: 'msteams',
  serviceUrl,
  timestamp: new Date().toISOString(),
  localTimestamp: new Date().toISOString(),
  from: { id: from.id, name: from.name, aadObjectId: `aad-${from.id}` },
  recipient: BOT,
  locale,
});

const personalConversation = (user: TeamsUser) => ({ id: `a:dm-${user.id}`, conversationType: 'personal', tenantId: TENANT });
const channelConversation = (channel: string, thread: string) => ({ id: `${channel};messageid=${thread}`, conversationType: 'channel', isGroup: true, tenantId: TENANT });
const channelData = (channel: string) => ({ teamsChannelId: channel, teamsTeamId: TEAM, channel: { id: channel }, team: { id: TEAM }, tenant: { id: TENANT } });

/** A message in the 1:1 chat with the bot. */
export function personalMessage(serviceUrl: string, from: TeamsUser, text: string, o: { id?: string; locale?: string } = {}) {
  return { ...base(serviceUrl, from, o.locale), type: 'message', id: o.id ?? nextId(), text, textFormat: 'plain', conversation: personalConversation(from), channelData: { tenant: { id: TENANT } } };
}

/**
 * A channel message. With `mention`, the text starts with `<at>Helpdesk</at>` and carries the
 * mention entity; `thread` makes it a reply in that thread (otherwise a new root post).
 */
export function channelMessage(serviceUrl: string, from: TeamsUser, channel: string, text: string, o: { id?: string; thread?: string; mention?: boolean; extraEntities?: unknown[]; locale?: string } = {}) {
  const id = o.id ?? nextId();
  const mentionText = `<at>${BOT.name}</at>`;
  return {
    ...base(serviceUrl, from, o.locale),
    type: 'message',
    id,
    ...(o.thread ? { replyToId: o.thread } : {}),
    text: o.mention ? `${mentionText} ${text}` : text,
    textFormat: 'plain',
    conversation: channelConversation(channel, o.thread ?? id),
    channelData: channelData(channel),
    entities: [
      ...(o.mention ? [{ type: 'mention', text: mentionText, mentioned: BOT }] : []),
      ...(o.extraEntities ?? []),
      { type: 'clientInfo', locale: o.locale ?? 'en-US', country: 'US', platform: 'Web' },
    ],
  };
}

/** `Action.Execute` on an Adaptive Card: an `invoke` named `adaptiveCard/action`. */
export function cardAction(serviceUrl: string, from: TeamsUser, action: { verb: string; data: unknown }, where: { conversation: string; replyToId?: string; kind?: 'personal' | 'channel' }, o: { id?: string; locale?: string; trigger?: 'manual' | 'automatic' } = {}) {
  const channel = where.conversation.split(';')[0]!;
  const kind = where.kind ?? (where.conversation.startsWith('19:') ? 'channel' : 'personal');
  return {
    ...base(serviceUrl, from, o.locale),
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: o.id ?? `f:${nextId()}`,
    replyToId: where.replyToId,
    conversation: { id: where.conversation, conversationType: kind, tenantId: TENANT, ...(kind === 'channel' ? { isGroup: true } : {}) },
    channelData: kind === 'channel' ? channelData(channel) : { tenant: { id: TENANT } },
    value: { action: { type: 'Action.Execute', verb: action.verb, data: action.data }, trigger: o.trigger ?? 'manual' },
  };
}

/** A reaction added to a channel message (a triage card). */
export function reaction(serviceUrl: string, from: TeamsUser, channel: string, messageId: string, type = 'like', o: { id?: string } = {}) {
  return {
    ...base(serviceUrl, from),
    type: 'messageReaction',
    id: o.id ?? nextId(),
    replyToId: messageId,
    reactionsAdded: [{ type }],
    conversation: channelConversation(channel, messageId),
    channelData: channelData(channel),
  };
}

/** The "Create ticket" message action on someone's message. */
export function submitAction(serviceUrl: string, from: TeamsUser, channel: string, message: { id: string; html: string; author: string }, details = '') {
  return {
    ...base(serviceUrl, from),
    type: 'invoke',
    name: 'composeExtension/submitAction',
    id: `f:${nextId()}`,
    conversation: channelConversation(channel, message.id),
    channelData: { ...channelData(channel), source: { name: 'message' } },
    value: {
      commandId: 'createTicket',
      commandContext: 'message',
      context: { theme: 'default' },
      data: { details },
      messagePayload: { id: message.id, messageType: 'message', body: { contentType: 'html', content: message.html }, from: { user: { id: `aad-${message.author}`, displayName: message.author } }, createdDateTime: new Date().toISOString() },
    },
  };
}

/** The bot was added to a team: `conversationUpdate` with the bot among `membersAdded`. */
export function botAddedToTeam(serviceUrl: string, installer: TeamsUser, teamName = 'IT Support') {
  return {
    ...base(serviceUrl, installer),
    type: 'conversationUpdate',
    id: nextId(),
    membersAdded: [{ id: BOT.id }],
    conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { eventType: 'teamMemberAdded', team: { id: TEAM, name: teamName, aadGroupId: 'group-1' }, tenant: { id: TENANT }, settings: { selectedChannel: { id: TEAM } } },
  };
}
