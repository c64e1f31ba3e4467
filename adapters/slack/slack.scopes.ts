/**
 * The bot token scopes the Slack adapter uses, and why. `adapters/slack/manifest.yml` ships exactly
 * these (tests/slack/slack-doctor.test.ts keeps the two in step); `helpdesk slack doctor` and
 * start-up compare them with what the token was granted (`x-oauth-scopes`).
 */
export const SLACK_BOT_SCOPES: Readonly<Record<string, string>> = {
  commands: '/help and the "Create ticket" message shortcut',
  'chat:write': 'cards, relays, notices and ephemeral replies',
  'im:write': 'DMs to requesters (conversations.open)',
  'im:history': 'messages people send the bot in DMs',
  'channels:history': 'thread replies under cards, and filing a thread as a ticket',
  'groups:history': 'the same in private channels the bot is invited to',
  'reactions:read': 'the claim and file-ticket reactions',
  'users:read': "people's display names on cards and in threads, and SLACK_USER_LOCALE=slack (users.info)",
  'channels:read': 'checking the bot is a member of the tier channels (doctor, start-up)',
  'groups:read': 'the same for private tier channels',
};
