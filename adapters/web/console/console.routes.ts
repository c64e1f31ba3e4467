import type { Hono } from 'hono';
import type { WebContext, WebEnv } from '../web.context.js';
import { requireAgent } from '../auth/middleware.js';

/** The agent console: queues, ticket pages, actions, live updates. */
export function registerConsoleRoutes(app: Hono<WebEnv>, _ctx: WebContext): void {
  app.use('/console', requireAgent());
  app.use('/console/*', requireAgent());
  app.get('/console', (c) => c.text('console'));
}
