import { WebClient } from '@slack/web-api';
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

// Email: the real EmailPlatform (nodemailer over SMTP) into a local smtp-server sink (tests/contract/email.contract-subject.ts).
chatPlatformContract('email', emailSubject);
