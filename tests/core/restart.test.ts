import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { composeHelpdesk } from '../../app/compose.js';
import { mongoUriFor, startFerretdb } from '../../app/services/ferretdb.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { postMessage } from '../../core/use-cases/post-message.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hd-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const agentId = person('slack', 'UAG', 'T1', 'Ana');
async function boot() {
  const server = await startFerretdb(dataDir);
  const connection = await mongoose.createConnection(mongoUriFor(server.url, 'restart')).asPromise();
  const hd = await composeHelpdesk({ connection, desks: [testDesk()], agents: [testAgent('ana', [agentId])], kb: new KeywordKb([]) });
  return { hd, stop: async () => { await connection.close(); await server.stop(); } };
}

describe('restart', () => {
  it('a FerretDB that dies under a connected client is restarted on the same port and data', async () => {
    const logs: string[] = [];
    const server = await startFerretdb(path.join(dataDir, 'supervised'), (m) => logs.push(m));
    const connection = await mongoose.createConnection(mongoUriFor(server.url, 'supervised')).asPromise();
    try {
      await connection.collection('x').insertOne({ _id: 'kept' as never });
      const first = server.pid!();
      process.kill(first!, 'SIGKILL');
      let count = -1;
      for (let i = 0; i < 100 && count !== 1; i++) {
        count = await connection.collection('x').countDocuments().catch(() => -1);
        if (count !== 1) await new Promise((r) => setTimeout(r, 100));
      }
      expect(count).toBe(1);
      expect(server.pid!()).not.toBe(first);
      expect(logs.some((l) => l.startsWith('FerretDB exited unexpectedly (SIGKILL)'))).toBe(true);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  it('data written before a database restart is read back intact', async () => {
    const first = await boot();
    const { ticket } = await openTicket(first.hd.deps, {
      idempotencyKey: 'restart-1',
      requester: person('slack', 'UREQ', 'T1', 'Rita'),
      locale: 'es',
      text: 'la impresora no imprime',
      origin: { platform: 'slack', workspace: 'T1', channel: 'D1' },
      requesterLink: { platform: 'slack', workspace: 'T1', channel: 'D1' },
    });
    const claimed = await claimTicket(first.hd.deps, { id: ticket.id }, agentId);
    await postMessage(first.hd.deps, { ticket: { id: ticket.id }, author: agentId, text: 'note: check the spooler' });
    await first.stop();

    const second = await boot();
    try {
      const back = await second.hd.store.get(ticket.id);
      expect(back).toEqual(claimed);
      expect(await second.hd.store.getByNumber(ticket.number)).toEqual(claimed);
      expect(await second.hd.store.findByLink({ platform: 'slack', workspace: 'T1', channel: 'D1' })).toEqual(claimed);
      const entries = await second.hd.store.timeline(ticket.id, { includeInternal: true });
      expect(entries.map((e) => [e.kind, e.text])).toEqual([
        ['message', 'la impresora no imprime'],
        ['status', ''],
        ['status', ''],
        ['note', 'check the spooler'],
      ]);
      // The counter survived too: the next ticket does not reuse the number.
      const next = await openTicket(second.hd.deps, { idempotencyKey: 'restart-2', requester: person('slack', 'UREQ'), text: 'x', origin: { platform: 'slack', workspace: 'T1' } });
      expect(next.ticket.number).not.toBe(ticket.number);
      // Replaying the first request after the restart still finds the first ticket.
      const replay = await openTicket(second.hd.deps, { idempotencyKey: 'restart-1', requester: person('slack', 'UREQ'), text: 'x', origin: { platform: 'slack', workspace: 'T1' } });
      expect(replay).toMatchObject({ created: false, ticket: { id: ticket.id } });
    } finally {
      await second.stop();
    }
  });
});
