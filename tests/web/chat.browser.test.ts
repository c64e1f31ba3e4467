import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, slackAgent, startChatHarness, type ChatHarness } from './chat-harness.js';
import { axeViolations, launchChromium, screenshot } from './chat-browser.js';

/** The web live chat in a real Chromium: visitor in the browser, agents in Slack (the Slack fake). */
describe('web chat in Chromium', () => {
  let h: ChatHarness;
  let browser: Browser;
  let site: Server;
  let siteOrigin = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // A customer's site on another origin that embeds the widget.
    site = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1><p>Products.</p></main><script src="${h.base}/chat/widget.js" data-desk="it"></script></body></html>`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
    h = await startChatHarness({ allowedOrigins: [siteOrigin] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await new Promise<void>((r) => site?.close(() => r()));
    await h?.stop();
  });

  async function newPage(o: { locale?: string; width?: number } = {}): Promise<Page> {
    const ctx = await browser.newContext({ locale: o.locale ?? 'en-US', viewport: { width: o.width ?? 1024, height: 800 }, bypassCSP: true });
    contexts.push(ctx);
    ctx.setDefaultTimeout(8_000);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    return page;
  }

  async function startAndAsk(page: Page, name: string, question: string) {
    await page.goto(`${h.base}/chat`);
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Email (optional)').fill(`${name.toLowerCase().replace(/[^a-z]/g, '') || 'x'}@example.com`);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel('What do you need help with?').fill(question);
  }

  const ticketByNumber = async (n: string) => (await h.core.store.list({ limit: 200 })).find((t) => t.number === n)!;
  const numberOnPage = async (page: Page) => (await page.locator('.hdchat-conv-title').textContent())!.split(' · ')[0]!;

  it('visitor asks → suggestion → "I still need help" → ticket; a Slack agent claims and answers live; resolve → visitor rates', async () => {
    const page = await newPage();
    await startAndAsk(page, 'Vera', 'my vpn keeps dropping');
    await expect.poll(() => page.getByText('Reset your VPN profile', { exact: true }).count()).toBe(1);
    await screenshot(page, 'chat-suggestions');
    await page.getByRole('button', { name: 'I still need help' }).click();
    await page.locator('.hdchat-conv-title').waitFor();
    const number = await numberOnPage(page);
    await page.getByText(`Got it: ${number} is with the IT team now.`, { exact: false }).waitFor();

    const slack = slackAgent(h);
    const card = await slack.card('C_TIER1', number);
    expect(await slack.button(card.blocks, 'claim', BOB, 'C_TIER1', card.ts)).toBe(200);
    await page.getByText(`Bob is working on ${number}`, { exact: false }).waitFor();
    await page.locator('.hdchat-badge', { hasText: 'an agent is on it' }).waitFor();
    expect(await slack.reply(BOB, 'C_TIER1', card.ts, 'Hi Vera, please update the VPN client to 5.2')).toBe(200);
    await page.getByText('Hi Vera, please update the VPN client to 5.2').waitFor();

    await page.getByLabel('Your message').fill('Updated, works now. Thanks!');
    await page.getByRole('button', { name: 'Send' }).click();
    await h.slackApi.waitFor(() => h.slackApi.callsOf('chat.postMessage').find((c) => c.args.thread_ts === card.ts && JSON.stringify(c.args).includes('Updated, works now')));

    const updated = h.slackApi.messages.get('C_TIER1')!.find((m) => m.ts === card.ts)!;
    expect(await slack.button(updated.blocks, 'resolve', BOB, 'C_TIER1', card.ts)).toBe(200);
    await page.getByText('How did we do?').waitFor();
    await screenshot(page, 'chat-conversation-csat');
    await page.getByLabel('4', { exact: true }).check();
    await page.getByLabel('Comment (optional)').fill('Quick and friendly');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thanks for your rating.').waitFor();
    expect((await ticketByNumber(number)).csat).toMatchObject({ score: 4, comment: 'Quick and friendly' });
    // Not fixed after all: the visitor reopens it; the Slack card and the badge follow.
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByText(`${number} was reopened`, { exact: false }).waitFor();
    await page.locator('.hdchat-badge', { hasText: 'waiting for an agent' }).waitFor();
    expect((await ticketByNumber(number)).status).toBe('open');

    // The conversation survives a reload: same history, nothing doubled.
    await page.reload();
    await page.getByText('Hi Vera, please update the VPN client to 5.2').waitFor();
    expect(await page.getByText('Updated, works now. Thanks!').count()).toBe(1);
    expect(await page.getByText('Hi Vera, please update the VPN client to 5.2').count()).toBe(1);
    // …and is listed among the visitor's conversations.
    await page.getByRole('button', { name: /Back to your conversations/ }).click();
    await page.getByRole('button', { name: new RegExp(`^${number} · `) }).waitFor();
    await screenshot(page, 'chat-home');
  });

  it('"This solved it" on a suggestion closes the question as deflected', async () => {
    const page = await newPage();
    await startAndAsk(page, 'Sol', 'the printer is jammed again');
    await page.getByRole('button', { name: 'This solved it' }).click();
    await page.getByText('Glad that helped!', { exact: false }).waitFor();
    const number = await numberOnPage(page);
    expect((await ticketByNumber(number)).status).toBe('self_service');
    expect(h.kb.feedback).toContainEqual({ articleId: 'printer-jam', helpful: true });
  });

  it('XSS payloads in a name, a message and an agent reply render as text', async () => {
    const page = await newPage();
    const payload = '<img src=x onerror="window.__xss=1">';
    await startAndAsk(page, `<script>window.__xss=2</script>`, `help ${payload}`);
    await page.getByRole('button', { name: 'I still need help' }).click();
    await page.locator('.hdchat-conv-title').waitFor();
    const number = await numberOnPage(page);
    await page.getByLabel('Your message').fill('<script>window.__xss=3</script>');
    await page.keyboard.press('Enter');
    const slack = slackAgent(h);
    const card = await slack.card('C_TIER1', number);
    await slack.reply(BOB, 'C_TIER1', card.ts, '<b onmouseover="window.__xss=4">bold?</b> <img src=x onerror="window.__xss=5">');
    await page.getByText('bold?', { exact: false }).waitFor();
    await page.getByText('<script>window.__xss=3</script>').waitFor();
    expect(await page.getByText(`help ${payload}`).count()).toBeGreaterThan(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('.hdchat-log img, .hdchat-log script, .hdchat-log b').count()).toBe(0);
    await screenshot(page, 'chat-xss-as-text');
  });

  it('a dropped connection and an offline visitor lose and double nothing', async () => {
    const page = await newPage();
    await startAndAsk(page, 'Dora', 'cannot reach the file share');
    await page.getByRole('button', { name: 'I still need help' }).click();
    await page.locator('.hdchat-conv-title').waitFor();
    const number = await numberOnPage(page);
    const slack = slackAgent(h);
    const card = await slack.card('C_TIER1', number);
    await page.getByText('Connected').waitFor();

    // The server drops every SSE connection while the agent writes; the page reconnects with Last-Event-ID.
    h.chat.dropConnections();
    await slack.reply(BOB, 'C_TIER1', card.ts, 'agent message while dropped 1');
    await slack.reply(BOB, 'C_TIER1', card.ts, 'agent message while dropped 2');
    await page.getByText('agent message while dropped 2').waitFor();

    // The visitor goes offline, writes twice; back online the queue is delivered once each.
    await page.context().setOffline(true);
    h.chat.dropConnections();
    await page.getByLabel('Your message').fill('offline one');
    await page.keyboard.press('Enter');
    await page.getByLabel('Your message').fill('offline two');
    await page.keyboard.press('Enter');
    await page.getByText('waiting for connection…').first().waitFor();
    await slack.reply(BOB, 'C_TIER1', card.ts, 'agent message while offline');
    await page.context().setOffline(false);
    await page.getByText('agent message while offline').waitFor();
    await h.slackApi.waitFor(() => h.slackApi.callsOf('chat.postMessage').find((c) => JSON.stringify(c.args).includes('offline two')), 10_000);
    await expect.poll(() => page.locator('.hdchat-note').count()).toBe(0);

    const slackCopies = (t: string) => h.slackApi.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === card.ts && JSON.stringify(c.args).includes(t)).length;
    expect([slackCopies('offline one'), slackCopies('offline two')]).toEqual([1, 1]);
    for (const t of ['agent message while dropped 1', 'agent message while dropped 2', 'agent message while offline', 'offline one', 'offline two']) {
      expect({ t, n: await page.getByText(t, { exact: true }).count() }).toEqual({ t, n: 1 });
    }
    const order = await page.locator('.hdchat-log .hdchat-text').allTextContents();
    expect(order.indexOf('offline one')).toBeLessThan(order.indexOf('offline two'));
    const timeline = await h.core.store.timeline((await ticketByNumber(number)).id);
    expect(timeline.filter((e) => e.text === 'offline one')).toHaveLength(1);
  });

  it('can be used with the keyboard alone', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/chat`);
    await page.getByLabel('Your name').waitFor();
    // The name field has focus on load.
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByLabel('What do you need help with?').waitFor();
    await page.getByLabel('What do you need help with?').focus();
    await page.keyboard.type('my vpn certificate expired');
    await page.getByText('Reset your VPN profile', { exact: true }).waitFor();
    // Tab to the suggestion's "This solved it", past it to "I still need help", and press it.
    let guard = 0;
    while (guard++ < 10 && (await page.evaluate('document.activeElement?.textContent')) !== 'I still need help') await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('.hdchat-conv-title').waitFor();
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA');
    await page.keyboard.type('typed with the keyboard');
    await page.keyboard.press('Enter');
    await page.locator('.hdchat-log').getByText('typed with the keyboard').waitFor();
    await expect.poll(() => page.locator('.hdchat-note').count()).toBe(0);
  });

  it('axe-core finds no serious or critical violation on the chat screens', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/chat`);
    await page.getByLabel('Your name').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Your name').fill('Ada');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel('What do you need help with?').fill('vpn will not connect');
    await page.getByText('Reset your VPN profile', { exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'I still need help' }).click();
    await page.locator('.hdchat-notice').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('works at a phone\'s width (375 px) and in Spanish', async () => {
    const page = await newPage({ locale: 'es-ES', width: 375 });
    await page.goto(`${h.base}/chat`);
    await page.getByLabel('Tu nombre').fill('Lucía');
    await page.getByRole('button', { name: 'Empezar' }).click();
    await page.getByLabel('¿En qué necesitas ayuda?').fill('la vpn se corta');
    await page.getByRole('button', { name: 'Aún necesito ayuda' }).click();
    await page.locator('.hdchat-conv-title').waitFor();
    const number = await numberOnPage(page);
    await page.locator('.hdchat-notice').first().waitFor();
    expect((await ticketByNumber(number)).locale).toBe('es');
    await page.getByLabel('Tu mensaje').fill('¿Alguna novedad? '.repeat(8));
    await page.getByRole('button', { name: 'Enviar' }).click();
    await expect.poll(() => page.locator('.hdchat-note').count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await screenshot(page, 'chat-phone-es');
  });

  it('the widget works on a page of another (allowed) origin', async () => {
    const page = await newPage({ width: 1024 });
    await page.goto(`${siteOrigin}/`);
    await page.getByRole('button', { name: 'Chat with support' }).click();
    await page.getByLabel('Your name').fill('Walter');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel('What do you need help with?').fill('printer will not print');
    await page.getByText('Clear a printer jam', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'I still need help' }).click();
    await page.locator('.hdchat-conv-title').waitFor();
    const number = await numberOnPage(page);
    const slack = slackAgent(h);
    const card = await slack.card('C_TIER1', number);
    await slack.reply(BOB, 'C_TIER1', card.ts, 'Widget reply from Bob');
    await page.getByText('Widget reply from Bob').waitFor();
    expect(await page.evaluate("Object.keys(localStorage).some((k) => k.startsWith('hd-chat-token:'))")).toBe(true);
    await screenshot(page, 'chat-widget');
    expect(await axeViolations(page)).toEqual([]);
  });
});
