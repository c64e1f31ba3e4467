import { WebClient } from '@slack/web-api';
import { REST } from 'discord.js';
import { DiscordPlatform } from '../../adapters/discord/discord.platform.js';
import { MemoryTeamsInstallStore } from '../../adapters/teams/teams.installs.js';
import { createTeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { Directory } from '../../core/ports/directory.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { Redis } from 'ioredis';
import { SlackPlatform } from '../../adapters/slack/slack.platform.js';
import { ChatStream } from '../../adapters/web/chat/chat-stream.js';
import { WebPlatform, type WebStreamEvent } from '../../adapters/web/web.platform.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { blockText } from '../slack/slack-harness.js';
import { person } from '../support/fixtures.js';
import { randomId, testRedisUrl } from '../support/services.js';
import { chatPlatformContract } from './chat-platform.contract.js';
import { emailSubject } from './email.contract-subject.js';

// The web channel: messages go to the conversation's Redis stream; "shown" is what the browser would
// render after replaying it (edits applied).
chatPlatformContract('web', async () => {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 0 });
  const prefix = `c${randomId()}:`;
  const stream = new ChatStream({ redis, prefix });
  let broken = false;
  const platform = new WebPlatform({
    append: (conv, e) => (broken ? ((broken = false), Promise.reject(new Error('Connection is closed.'))) : stream.append(conv, e)),
  });
  return {
    platform,
    channel: { workspace: 'it', channel: `c${randomId()}` },
    person: person('web', `v${randomId()}`, 'it', 'Vera'),
    messageMax: 4000,
    async shown(posted) {
      let text = '';
      for (const e of await stream.since(posted.channel)) {
        const ev = JSON.parse(e.data) as WebStreamEvent;
        if ((ev.type === 'message' && e.id === posted.message) || (ev.type === 'update' && ev.of === posted.message)) text = ev.msg.text;
      }
      return text;
    },
    breakNext: () => {
      broken = true;
    },
    async stop() {
      await stream.close();
      redis.disconnect();
    },
  };
});

// Slack: the real @slack/web-api client against the Web API fake.
chatPlatformContract('slack', async () => {
  const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
  const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  return {
    platform: new SlackPlatform({ client, log: silentLogger }),
    channel: { workspace: 'T1', channel: 'C_CONTRACT' },
    person: person('slack', 'UVERA', 'T1', 'Vera'),
    messageMax: 3000,
    async shown(posted) {
      const m = (fake.messages.get(posted.channel) ?? []).find((x) => x.ts === posted.message);
      return m ? `${m.text ?? ''} ${blockText(m.blocks)}` : '';
    },
    breakNext: () => fake.failNext('chat.postMessage', { status: 500 }),
    stop: () => fake.stop(),
  };
});

// Teams: the adapter as the app builds it (createTeamsAdapter: CloudAdapter with auth off and the
// connector client's own retries removed) against the Bot Connector fake. "Shown" is the message's
// latest content as the connector received it (first send or channel post, then edits).
chatPlatformContract('teams', async () => {
  const connector = await new FakeBotConnector().start();
  // Only the outbound side is under test: TeamsPlatform reads tickets and desks for CSAT and
  // escalation cards alone, and the inbound bot (helpdesk) is never called; the contract's views are notices.
  const store = { get: async () => null } as unknown as TicketStore;
  const directory = { desk: () => { throw new Error('no desks in the contract suite'); } } as unknown as Directory;
  const { platform } = createTeamsAdapter({ helpdesk: {} as Helpdesk, directory, store, serviceUrl: connector.url, installs: new MemoryTeamsInstallStore(), log: silentLogger });
  const contentOf = (activity: any): string => `${activity?.text ?? ''} ${JSON.stringify(activity?.attachments ?? [])}`;
  return {
    platform,
    channel: { workspace: 'tenant-1', channel: '19:contract@thread.tacv2' },
    person: person('teams', '29:vera', 'tenant-1', 'Vera'),
    // renderActivity keeps a rendered message within 24,000 bytes counted as UTF-16: 12,000 characters.
    messageMax: 12_000,
    async shown(posted) {
      let text = '';
      for (const c of connector.calls) {
        if (c.status >= 300) continue;
        if (c.kind === 'create' && c.answeredActivityId === posted.message) text = contentOf(c.body?.activity);
        else if (c.kind === 'send' && c.answeredId === posted.message) text = contentOf(c.body);
        else if (c.kind === 'update' && c.activityId === posted.message) text = contentOf(c.body);
      }
      return text;
    },
    // One failed call is the outage: the connector client must not retry it itself (the delivery queue does).
    breakNext: () => connector.inject({ status: 502 }),
    stop: () => connector.stop(),
  };
});

// Discord: discord.js REST (as the adapter configures it: 429s rejected, no internal retries)
// against the Discord fake. "Shown" is the stored message's content and embed texts.
chatPlatformContract('discord', async () => {
  const fake = await DiscordFake.start({ guilds: [{ id: '100000000000000001', channels: [{ id: '100000000000000002', name: 'tier-1' }] }] });
  const rest = new REST({ api: fake.apiUrl, rejectOnRateLimit: () => true, retries: 0 }).setToken('contract-token');
  return {
    platform: new DiscordPlatform(rest),
    channel: { workspace: '100000000000000001', channel: '100000000000000002' },
    person: person('discord', '100000000000000003', '100000000000000001', 'Vera'),
    messageMax: 4096,
    async shown(posted) {
      const m = fake.messages.get(posted.channel)?.get(posted.message);
      if (!m) return '';
      return [m.content ?? '', ...(m.embeds ?? []).flatMap((e: any) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f: any) => `${f.name} ${f.value}`)])].join(' ');
    },
    breakNext: () => fake.failNext('POST', /^\/channels\/\d+\/messages$/, 502),
    stop: () => fake.close(),
  };
});

// Email: the real EmailPlatform (nodemailer over SMTP) into a local smtp-server sink (tests/contract/email.contract-subject.ts).
chatPlatformContract('email', emailSubject);
