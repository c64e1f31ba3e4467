import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type pino from 'pino';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  log: pino.Logger;
  /** Exact-path handlers mounted by adapters (`/slack/events`, `/api/messages`). */
  routes: Map<string, RequestHandler>;
  /** Resolves true when dependencies answer (MongoDB, Redis). */
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Prometheus text exposition. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Everything that is not an exact-path route above (the web channel's Hono app). */
  fallback?: RequestHandler;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** The process's one HTTP server: platform receivers plus health, readiness and metrics. */
export function createHttpServer(o: HttpServerOptions): http.Server {
  let draining = false;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const run = async () => {
      if (path === '/healthz') return json(res, 200, { ok: true });
      if (path === '/readyz') {
        if (draining) return json(res, 503, { ok: false, checks: { process: 'shutting down' } });
        const r = await o.ready();
        return json(res, r.ok ? 200 : 503, r);
      }
      if (path === '/metrics' && o.metrics) {
        const m = await o.metrics();
        res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
        return;
      }
      const handler = o.routes.get(path) ?? o.fallback;
      if (!handler) return json(res, 404, { error: 'not found' });
      await handler(req, res);
    };
    run().catch((err: unknown) => {
      o.log.error({ err, path }, 'http handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
    });
  });
  server.on('close', () => {
    draining = true;
  });
  // Keep-alive sockets must not hold shutdown hostage.
  server.keepAliveTimeout = 5_000;
  (server as http.Server & { markDraining?: () => void }).markDraining = () => {
    draining = true;
  };
  return server;
}
