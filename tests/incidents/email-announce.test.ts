import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../core/domain/events.js';
import { person, testAgent } from '../support/fixtures.js';
import { startEmailHarness, waitFor, type EmailHarness } from '../email/email-harness.js';

const LIST = 'status-subscribers@list.test';
const AGENT = person('slack', 'UAGENT', 'T1', 'Agent');

/**
 * The email list announcement through the email adapter's real outbound (nodemailer → a local SMTP
 * sink): mail cannot be edited, so each update is a new mail threaded under the first one
 * (In-Reply-To / References), once per change whatever the replays.
 */
describe('incident announcements by email', () => {
  let e: EmailHarness;
  const events: IncidentEvent[] = [];
  beforeAll(async () => {
    e = await startEmailHarness({ desk: { locale: 'es', announce: { channels: {}, email: { to: LIST }, web: false } }, agents: [testAgent('agent', [AGENT], 1)] });
    e.h.hd.events.onIncident((x) => void events.push(x));
  });
  afterAll(async () => {
    await e?.close();
  });

  it('declaring sends one mail to the list; each update is a reply threaded under it; replays send nothing', async () => {
    const { incident } = await e.h.hd.incidents.declare({ deskId: 'it', title: 'Correo lento', services: ['email'], severity: 'SEV3', idempotencyKey: 'mail-declare' }, AGENT);
    const first = await waitFor(() => e.sink.to(LIST)[0], 15_000, 'first mail');
    expect(first.parsed.subject).toContain('INC-');
    expect(first.parsed.text).toContain('Investigando'); // the desk's language (es)
    await e.h.hd.incidents.update({ id: incident.id }, { status: 'identified', note: 'Cola del servidor llena.' }, AGENT, 'mail-up-1');
    const second = await waitFor(() => e.sink.to(LIST)[1], 15_000, 'second mail');
    const firstId = first.parsed.messageId!;
    expect(second.parsed.inReplyTo).toBe(firstId);
    expect(String(second.parsed.references)).toContain(firstId);
    expect(second.parsed.subject).toMatch(/^Re: /);
    expect(second.parsed.text).toContain('Cola del servidor llena.');
    for (const x of [...events]) await e.h.hd.events.emitIncident(x);
    await new Promise((r) => setTimeout(r, 1500));
    expect(e.sink.to(LIST)).toHaveLength(2);
  });
});
