import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

/** Envelope types Slack sends over a Socket Mode connection. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** One message the app sent back on the socket: an ack `{envelope_id, payload?}`. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** Which connection (1-based, in order of opening) carried it. */
  connection: number;
}

export interface EnvelopeOptions {
  /** @defaultValue a fresh UUID, as Slack's */
  envelopeId?: string;
  /** events_api redelivery count (`retry_attempt`). @defaultValue 0 */
  retryAttempt?: number;
  /** @defaultValue '' (or 'timeout' when `retryAttempt` > 0) */
  retryReason?: string;
  /** Whether the ack may carry a response payload. @defaultValue true except for events_api */
  acceptsResponsePayload?: boolean;
}

/**
 * A protocol-level fake of Slack's Socket Mode WebSocket endpoint (what `apps.connections.open`
 * points at). Like Slack it only accepts URLs it issued (single-use `ticket`), greets every
 * connection with `hello` (with `num_connections`, `debug_info`, `connection_info`), sends
 * envelopes `{envelope_id, type, payload, accepts_response_payload[, retry_attempt, retry_reason]}`,
 * records the client's acks `{envelope_id, payload}`, and can ask the client to reconnect with
 * `{type: 'disconnect', reason}`. Pings from the client are answered by `ws` itself.
 */
export class SlackSocketModeFake {
  /** Acks (and anything else) the app sent, in order. */
  readonly acks: SocketAck[] = [];
  /** Every connection accepted, in order; `open` turns false when it closes. */
  readonly connections: Array<{ n: number; ticket: string; open: boolean; socket: WebSocket }> = [];
  /** Connection attempts refused (unknown or reused ticket). */
  refused = 0;
  private server?: WebSocket.Server;
  private readonly tickets = new Set<string>();

  constructor(readonly appId = 'A1') {}

  async start(): Promise<this> {
    const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
    this.server = server;
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (socket: WebSocket, req: IncomingMessage) => this.accept(socket, req));
    return this;
  }

  /** A fresh single-use connection URL, as `apps.connections.open` answers it. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const { port } = this.server!.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** The connection envelopes go to: the latest one still open. */
  get current(): (typeof this.connections)[number] | undefined {
    return this.connections.filter((c) => c.open).at(-1);
  }

  /** Sends an envelope on the current connection; returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>, o: EnvelopeOptions = {}): string {
    const c = this.current;
    if (!c) throw new Error('SlackSocketModeFake.send: no open connection');
    const envelopeId = o.envelopeId ?? randomUUID();
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: o.acceptsResponsePayload ?? type !== 'events_api',
    };
    if (type === 'events_api') {
      envelope.retry_attempt = o.retryAttempt ?? 0;
      envelope.retry_reason = o.retryReason ?? (o.retryAttempt ? 'timeout' : '');
    }
    c.socket.send(JSON.stringify(envelope));
    return envelopeId;
  }

  /** Asks the client to reconnect, as Slack does before recycling a connection. */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    const c = this.current;
    if (!c) throw new Error('SlackSocketModeFake.disconnect: no open connection');
    c.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
  }

  /**
   * Polls until `pick` returns something. Bounded generously (the suite's FerretDB has stalled for seconds
   * on a busy CI machine); the 3-second acknowledgement deadline is checked by `ackOf`, not here.
   */
  async waitFor<T>(pick: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = pick();
      if (v) return v;
      if (Date.now() > end) throw new Error('SlackSocketModeFake.waitFor: condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits for the ack of one envelope. */
  ackOf(envelopeId: string, timeoutMs = 3000): Promise<SocketAck> {
    return this.waitFor(() => this.acks.find((a) => a.envelope_id === envelopeId), timeoutMs);
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(socket: WebSocket, req: IncomingMessage): void {
    const ticket = new URL(req.url ?? '/', 'ws://x').searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      this.refused += 1;
      socket.close(1008, 'invalid ticket'); // policy violation, as for an expired/unknown link
      return;
    }
    const conn = { n: this.connections.length + 1, ticket, open: true, socket };
    this.connections.push(conn);
    socket.on('close', () => {
      conn.open = false;
    });
    socket.on('message', (data: WebSocket.Data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return; // Slack ignores what it cannot parse; so do we
      }
      const m = msg as { envelope_id?: unknown; payload?: Record<string, unknown> };
      if (typeof m.envelope_id === 'string') this.acks.push({ envelope_id: m.envelope_id, ...(m.payload ? { payload: m.payload } : {}), connection: conn.n });
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.filter((c) => c.open).length,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }
}
