import { createHmac } from 'node:crypto';
import type { RedisClient as Redis } from '../../../jobs/connection.js';
import type { RouteModule } from '../web.app.js';
import { WebPlatform } from '../web.platform.js';
import { createChatApp } from './chat.app.js';
import { ChatStream } from './chat-stream.js';
import { VisitorTokens } from './visitor-token.js';
import type { Helpdesk } from '../../../core/helpdesk.js';
import type { InboundIntake, IntakeEnvelope } from '../../shared/intake.js';
import { replayWeb } from './chat.requests.js';

/** Visitor tokens signed with a key derived from the web secret (never the secret itself). */
export const visitorTokensFor = (secret: string): VisitorTokens => new VisitorTokens(createHmac('sha256', secret).update('helpdesk web chat visitor tokens').digest('base64url'));

export interface WebChatOptions {
  /** Commands connection (the web context's shared Redis). */
  redis: Redis;
  keyPrefix: string;
  /**
   * SSE keep-alive interval.
   * @defaultValue 20000
   */
  heartbeatMs?: number;
  /** Durable intake: the visitor API records writes here and answers 202 (docs/storm.md). @defaultValue none */
  intake?: InboundIntake;
}

/**
 * The web live chat as a platform: its outbound side (`platform`, registered with core in every
 * role so workers can deliver to browsers) and, for web roles, its routes (`routes(secret)`, a
 * module for adapters/web/web.app.ts mounted at `/chat`).
 */
export function createWebChat(o: WebChatOptions) {
  const stream = new ChatStream({ redis: o.redis, prefix: o.keyPrefix });
  const platform = new WebPlatform(stream);
  let drop: () => void = () => {};
  let count = () => 0;
  return {
    stream,
    platform,
    /** The `/chat` pages and visitor API; `secret` is the web secret (visitor tokens use a key derived from it). */
    routes(secret: string): RouteModule {
      const tokens = visitorTokensFor(secret);
      return (app, ctx) => {
        const chat = createChatApp({ helpdesk: ctx.helpdesk, stream, tokens, limits: ctx.rateLimiter, log: ctx.log, heartbeatMs: o.heartbeatMs, ...(o.intake ? { intake: o.intake } : {}) });
        drop = chat.dropConnections;
        count = () => chat.connections;
        app.route('/chat', chat.app);
      };
    },
    /** Closes every SSE connection of this replica (tests of dropped connections, shutdown). */
    dropConnections: () => drop(),
    /** SSE connections this replica holds. */
    connections: () => count(),
    /** Processes a recorded web request (intake worker; any role). */
    replay: (helpdesk: Helpdesk, e: IntakeEnvelope) => replayWeb({ helpdesk, stream, announce: true }, e),
    start: () => stream.start(),
    async stop() {
      drop();
      await stream.close();
    },
  };
}
export type WebChat = ReturnType<typeof createWebChat>;
