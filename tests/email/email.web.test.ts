import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsatLinks } from '../../adapters/web/email/csat-links.js';
import { consoleIdentity } from '../../adapters/web/web.identity.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { waitFor } from '../jobs/harness.js';
import { startWebHarness, WEB_SECRET, WebClient, type WebHarness } from '../web/web.harness.js';

/**
 * The email channel's web side against the whole runtime (role all: SMTP listener, inbound worker,
 * delivery worker, web server; FerretDB and Redis; no SMTP_URL, so mail goes to <data dir>/outbox):
 * attachments kept in GridFS and served only to agents of the desk, one-click CSAT links, the outbox view.
 */
let h: WebHarness;
let ana: WebClient; // agent of desk IT
let hugo: WebClient; // agent of desk HR only: a stranger to IT's tickets
let dataDir: string;
const DESK = 'it@helpdesk.localhost';

const link = (agentId: string) => `/auth/magic?t=${h.magic.issue(agentId, 60_000)}`;

async function sendMail(mail: Mail.Options): Promise<{ messageId: string; response: string }> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.hd.smtpPort!, secure: false, ignoreTLS: true });
  try {
    return (await t.sendMail(mail)) as { messageId: string; response: string };
  } finally {
    t.close();
  }
}

const ticketOf = (from: string, messageId: string) =>
  waitFor(() => h.hd.composed.store.findByLink({ platform: 'email', workspace: from.split('@')[1]!, channel: from, thread: messageId.slice(1, -1) }), 20_000, `ticket for ${messageId}`);

/** Outbox mail to `to`, parsed, oldest first. */
async function outboxTo(to: string) {
  const dir = path.join(dataDir, 'outbox');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml') && !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  const all = await Promise.all(names.map(async (name) => ({ name, mail: await simpleParser(readFileSync(path.join(dir, name))) })));
  return all.filter((m) => (Array.isArray(m.mail.to) ? m.mail.to : [m.mail.to]).some((a) => a?.value.some((v) => v.address === to)));
}

beforeAll(async () => {
  h = await startWebHarness({ EMAIL_ATTACHMENT_MAX_BYTES: String(64 * 1024), EMAIL_TICKET_ATTACHMENTS_MAX_FILES: '3' });
  dataDir = h.dataDir;
  ana = new WebClient(h.base);
  hugo = new WebClient(h.base);
  expect((await ana.signIn(link('ana'))).status).toBe(303);
  expect((await hugo.signIn(link('hugo'))).status).toBe(303);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe('attachments', () => {
  let ticket: Ticket;
  const text = Buffer.from('VPN log line 1\nline 2\n');
  const big = Buffer.alloc(100 * 1024, 7);
  const page = Buffer.from('<html><script>alert(1)</script></html>');

  it('mail with files → the ticket keeps those within the limits, lists them on the timeline and in the console; the over-limit one is refused and the requester told', async () => {
    const sent = await sendMail({
      from: 'Rita <rita@example.com>',
      to: DESK,
      subject: 'VPN logs attached',
      text: 'Here are my logs.',
      attachments: [
        { filename: '../../etc/vpn\r\nlog.txt', content: text, contentType: 'text/plain' },
        { filename: 'capture.bin', content: big, contentType: 'application/octet-stream' },
        { filename: '\u202Egpj.html', content: page, contentType: 'text/html' },
      ],
    });
    expect(sent.response).toMatch(/^250 /);
    ticket = await ticketOf('rita@example.com', sent.messageId);
    const list = await waitFor(async () => {
      const l = await h.hd.composed.deps.attachments!.list(ticket.id);
      return l.length === 3 ? l : undefined;
    }, 20_000, 'three attachment records');
    expect(list.map((a) => [a.filename, a.status, a.reason])).toEqual([
      ['vpnlog.txt', 'stored', undefined], // CR LF and the path dropped
      ['capture.bin', 'refused', 'file_too_large'],
      ['gpj.html', 'stored', undefined],
    ]);
    // The timeline entry is written after the files' records.
    const entry = await waitFor(async () => (await h.hd.composed.store.timeline(ticket.id, { includeInternal: true })).find((e) => e.event === 'attachments'), 20_000, 'attachments timeline entry');
    expect(entry.text).toContain('vpnlog.txt');
    expect(entry.text).toContain('capture.bin');
    // The requester hears what was not kept (one mail, named file, in the outbox).
    const told = await waitFor(async () => (await outboxTo('rita@example.com')).find((m) => (m.mail.text ?? '').includes('capture.bin')), 20_000, 'refusal mail');
    expect(told.mail.text).toContain('not kept');

    const { res, html } = await ana.page(`/console/tickets/${ticket.number}`);
    expect(res.status).toBe(200);
    expect(html).toContain(`href="/attachments/${list[0]!.id}"`);
    expect(html).toContain('vpnlog.txt');
    expect(html).toContain('not kept');
  }, 60_000);

  it('an agent of the desk downloads a file as an attachment (declared type, nosniff, sandboxed); a stranger gets 403, nobody signed in 401', async () => {
    const [txt, , htmlFile] = await h.hd.composed.deps.attachments!.list(ticket.id);
    const r = await ana.request('GET', `/attachments/${txt!.id}`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(text)).toBe(true);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="vpnlog.txt"; filename*=UTF-8''vpnlog.txt`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const h2 = await ana.request('GET', `/attachments/${htmlFile!.id}`);
    expect(h2.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(h2.headers.get('content-security-policy')).toContain('sandbox');
    expect(await h2.text()).toBe(page.toString());

    const stranger = await hugo.request('GET', `/attachments/${txt!.id}`);
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).not.toContain('VPN log');
    const anonymous = await fetch(`${h.base}/attachments/${txt!.id}`);
    expect(anonymous.status).toBe(401);
    expect((await ana.request('GET', '/attachments/att_nope')).status).toBe(404);
    const refused = (await h.hd.composed.deps.attachments!.list(ticket.id))[1]!;
    expect((await ana.request('GET', `/attachments/${refused.id}`)).status).toBe(404);
  });

  it('a follow-up past the ticket\'s file limit is refused whole; nothing half-stored', async () => {
    const ack = (await outboxTo('rita@example.com'))[0]!.mail;
    const sent = await sendMail({ from: 'rita@example.com', to: ack.replyTo!.value[0]!.address!, subject: `Re: [${ticket.number}] VPN logs attached`, text: 'Two more.', attachments: [{ filename: 'a.txt', content: 'aaa' }, { filename: 'b.txt', content: 'bbb' }] });
    expect(sent.response).toMatch(/^250 /);
    const list = await waitFor(async () => {
      const l = await h.hd.composed.deps.attachments!.list(ticket.id);
      return l.length === 5 ? l : undefined;
    }, 20_000, 'five attachment records');
    // Limit 3 files per ticket: two were stored already, so a.txt fits and b.txt is refused.
    expect(list.slice(3).map((a) => [a.filename, a.status, a.reason])).toEqual([
      ['a.txt', 'stored', undefined],
      ['b.txt', 'refused', 'ticket_files'],
    ]);
    const files = await h.hd.composed.deps.attachments!.list(ticket.id);
    expect(files.filter((a) => a.status === 'stored')).toHaveLength(3);
  }, 60_000);
});

describe('outbox view', () => {
  it('lists the mail written to the outbox and shows one as escaped text, for agents only', async () => {
    const { res, html } = await ana.page('/console/outbox');
    expect(res.status).toBe(200);
    expect(html).toContain('VPN logs attached');
    const name = /href="\/console\/outbox\/([^"]+)"/.exec(html)![1]!;
    const one = await ana.page(`/console/outbox/${name}`);
    expect(one.res.status).toBe(200);
    expect(one.html).toContain('<pre class="mail-raw">');
    expect(one.html).not.toContain('<html><body');
    expect((await ana.request('GET', '/console/outbox/..%2F..%2Fweb-secret')).status).toBe(404);
    const anonymous = await fetch(`${h.base}/console/outbox`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect((await fetch(`${h.base}/console/outbox`)).status).toBe(401);
  });
});

describe('one-click CSAT links', () => {
  let ticket: Ticket;
  let links: string[];

  it('the survey mail of a resolved ticket carries five signed links; following one shows a confirmation and stores nothing', async () => {
    const sent = await sendMail({ from: 'sam@example.com', to: DESK, subject: 'Printer jams', text: 'The printer on floor 3 jams.' });
    ticket = await ticketOf('sam@example.com', sent.messageId);
    const anaId = consoleIdentity('ana', 'Ana García');
    if (ticket.status === 'new') await h.hd.composed.helpdesk.handle({ type: 'deflection.need_help', eventId: `t-nh-${ticket.id}`, actor: ticket.requester, ticket: { id: ticket.id } });
    await h.hd.composed.helpdesk.handle({ type: 'ticket.claim', eventId: `t-claim-${ticket.id}`, actor: anaId, ticket: { id: ticket.id } });
    await h.hd.composed.helpdesk.handle({ type: 'ticket.resolve', eventId: `t-res-${ticket.id}`, actor: anaId, ticket: { id: ticket.id } });
    const survey = await waitFor(async () => (await outboxTo('sam@example.com')).find((m) => (m.mail.text ?? '').includes('/rate?t=')), 20_000, 'survey mail');
    links = (survey.mail.text ?? '').split(/\s/).filter((w) => w.includes('/rate?t='));
    expect(links).toHaveLength(5);
    const { res, html } = await new WebClient(h.base).page(new URL(links[3]!).pathname + new URL(links[3]!).search);
    expect(res.status).toBe(200);
    expect(html).toContain('method="post" action="/rate"');
    expect(html).toContain('4 out of 5');
    expect((await h.hd.composed.store.get(ticket.id))!.csat).toBeUndefined();
  }, 60_000);

  it('the POST records the rating once; repeating it (or another score) records nothing more', async () => {
    const u = new URL(links[3]!);
    const browser = new WebClient(h.base);
    await browser.page(u.pathname + u.search);
    const r = await browser.post('/rate', { t: u.searchParams.get('t')!, comment: 'Quick fix' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('recorded');
    const after = await h.hd.composed.store.get(ticket.id);
    expect(after!.csat).toMatchObject({ score: 4, comment: 'Quick fix' });
    expect((await browser.post('/rate', { t: u.searchParams.get('t')! })).status).toBe(200);
    const other = new URL(links[0]!);
    const again = await browser.post('/rate', { t: other.searchParams.get('t')! });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already has a rating');
    expect((await h.hd.composed.store.get(ticket.id))!.csat!.score).toBe(4);
    const rated = (await h.hd.composed.store.timeline(ticket.id, { includeInternal: true })).filter((e) => e.event === 'rate' || e.event === 'rated');
    expect(rated.length).toBeLessThanOrEqual(1);
  });

  it('a forged or expired link gets a clear error page and stores nothing (English and Spanish)', async () => {
    const other = await h.openTicket('Badge does not open the door');
    const token = new URL(links[4]!).searchParams.get('t')!;
    const [body, sig] = token.split('.');
    // Same signature, another ticket id in the claims: the signature no longer matches.
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { t: string };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, t: other.id })).toString('base64url')}.${sig}`;
    const browser = new WebClient(h.base);
    const g = await browser.page(`/rate?t=${forged}`);
    expect(g.res.status).toBe(400);
    expect(g.html).toContain('not valid');
    expect((await browser.post('/rate', { t: forged })).status).toBe(400);
    expect((await browser.post('/rate', { t: 'garbage' })).status).toBe(400);
    const expired = new CsatLinks(WEB_SECRET).token(other.id, 5, -1000);
    const e = await browser.page(`/rate?t=${expired}&lang=es`);
    expect(e.res.status).toBe(410);
    expect(e.html).toContain('ha caducado');
    expect((await browser.post('/rate?lang=es', { t: expired })).status).toBe(410);
    expect((await h.hd.composed.store.get(other.id))!.csat).toBeUndefined();
  });
});
