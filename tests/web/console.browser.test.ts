import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeSerious, launchBrowser, newPage, pageProblems, screenshot } from './browser.js';
import { startWebHarness, type WebHarness } from './web.harness.js';

/**
 * The agent console in a real Chromium against the real runtime: sign in with a magic link, see a
 * ticket arrive live, claim → reply → resolve, see changes made elsewhere (a Slack agent, the
 * requester) without reloading, accessibility (axe-core), keyboard, phone width, screenshots.
 */
let h: WebHarness;
let browser: Browser;
let page: Page;

const signIn = async (p: Page, agentId: string, button = 'Continue') => {
  await p.goto(`${h.base}/auth/magic?t=${h.magic.issue(agentId, 60_000)}`);
  await p.getByRole('button', { name: button }).click();
  await p.waitForURL(`${h.base}/console`);
};
// Strings run in the page (this project compiles without the DOM library).
// (waitForFunction with a string would need 'unsafe-eval', which our CSP rightly refuses.)
const liveReady = (p: Page) => p.waitForFunction(() => String((globalThis as any).document.getElementById('live-status')?.textContent ?? '').startsWith('Live'), undefined, { timeout: 10_000 });
const inPage = <T>(p: Page, expression: string) => p.evaluate(expression) as Promise<T>;

beforeAll(async () => {
  h = await startWebHarness();
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
  for (const [i, text] of ['Printer on floor 3 jams on every job', 'Cannot connect to the guest Wi-Fi', 'New starter needs a laptop on Monday'].entries()) {
    await h.openTicket(text, { user: `U0REQ${i}`, name: ['Marta Díaz', 'Tom Lee', 'Sara Kim'][i] });
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe('agent console in Chromium', () => {
  it('signs in with a magic link and shows the queue; a new ticket appears without reloading', async () => {
    await signIn(page, 'ana');
    await expect.poll(() => page.locator('tr[data-ticket]').count()).toBe(3);
    await liveReady(page);
    const t = await h.openTicket('Laptop battery swells and the lid will not close', { user: 'U0LIVE', name: 'Luis Vega' });
    await page.locator(`tr[data-ticket="${t.id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-ticket]').count()).toBe(4);
    await screenshot(page, 'console-queue');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('claim → reply → resolve on the ticket page, with changes from Slack and the requester arriving live', async () => {
    const t = await h.openTicket('VPN disconnects every ten minutes since Tuesday', { user: 'U0RITA', name: 'Rita Moreno' });
    await page.goto(`${h.base}/console/tickets/${t.number}`);
    await liveReady(page);
    expect(await axeSerious(page)).toEqual([]);

    await page.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => page.locator('#ticket-root .facts').first().textContent()).toContain('Ana García');
    await page.getByLabel('Reply to the requester').fill('Please install the new VPN profile from the portal and tell me if it still drops.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.timeline li.message', { hasText: 'new VPN profile' }).waitFor();

    // Elsewhere: Ben writes an internal note from Slack; the requester answers in their Slack DM.
    await liveReady(page);
    await h.hd.composed.helpdesk.handle({ type: 'ticket.message', eventId: 'slack-note-1', actor: { platform: 'slack', workspace: 'T0000000', user: 'U0BEN' }, ticket: { id: t.id }, text: 'Seen this before: old profile cached', internal: true });
    await page.locator('.timeline li.note', { hasText: 'old profile cached' }).waitFor({ timeout: 10_000 });
    await h.hd.composed.helpdesk.handle({ type: 'ticket.message', eventId: 'slack-req-1', actor: t.requester, ticket: { id: t.id }, text: 'Installed it, looks stable now' });
    await page.locator('.timeline li.message', { hasText: 'looks stable now' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'console-ticket');

    await page.getByLabel('Resolution note (optional)').fill('New VPN profile');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('#ticket-root .facts').first().textContent()).toContain('Resolved');
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect((await h.hd.composed.store.get(t.id))!.status).toBe('resolved');
  });

  it('a second agent’s page follows the first agent’s changes live', async () => {
    const t = await h.openTicket('Shared drive shows files twice', { user: 'U0SAM', name: 'Sam Ortiz' });
    const other = await newPage(browser);
    await signIn(other.page, 'ben');
    await other.page.goto(`${h.base}/console/tickets/${t.number}`);
    await liveReady(other.page);
    await page.goto(`${h.base}/console/tickets/${t.number}`);
    await page.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => other.page.locator('#ticket-root .facts').first().textContent(), { timeout: 10_000 }).toContain('Ana García');
    // Ben's Claim button went away without a reload.
    expect(await other.page.getByRole('button', { name: 'Claim' }).count()).toBe(0);
    expect(pageProblems(other.page)).toEqual([]);
    await other.context.close();
  });

  it('works with the keyboard: the skip link, then a form control reached by Tab', async () => {
    await page.goto(`${h.base}/console`);
    await page.keyboard.press('Tab');
    expect(await inPage(page, 'document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await inPage(page, 'document.activeElement?.id')).toBe('main');
    await page.keyboard.press('Tab');
    expect(await inPage(page, 'document.activeElement?.id')).toBe('f-desk');
    await page.keyboard.press('Tab');
    expect(await inPage(page, 'document.activeElement?.id')).toBe('f-tier');
  });

  it('fits a phone’s width, in Spanish for a Spanish browser', async () => {
    const phone = await newPage(browser, { phone: true, locale: 'es-ES' });
    await signIn(phone.page, 'ana', 'Continuar');
    await phone.page.goto(`${h.base}/console`);
    expect(await phone.page.locator('h1').textContent()).toBe('Cola');
    const overflow = await inPage<number>(phone.page, 'document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'console-queue-phone');
    const first = await phone.page.locator('tr[data-ticket] a').first().getAttribute('href');
    await phone.page.goto(`${h.base}${first}`);
    expect(await inPage<number>(phone.page, 'document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'console-ticket-phone');
    expect(await axeSerious(phone.page)).toEqual([]);
    await phone.context.close();
  });

  it('the start page renders with no script error or CSP violation', async () => {
    const p = await newPage(browser);
    await p.page.goto(`${h.base}/`);
    await screenshot(p.page, 'start-page');
    expect(await axeSerious(p.page)).toEqual([]);
    expect(pageProblems(p.page)).toEqual([]);
    // The page that went through sign-in, queue, ticket actions and live updates: no error either.
    expect(pageProblems(page)).toEqual([]);
    await p.context.close();
  });
});
