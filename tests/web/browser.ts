import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run when missing)
 * with playwright-core: no browser download. Screenshots go to tests/.artifacts/ (git-ignored).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(import.meta.dirname, '../.artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface PageOptions {
  locale?: string;
  /** Phone: 390×844. */
  phone?: boolean;
}

export async function newPage(browser: Browser, o: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: o.locale ?? 'en-US',
    viewport: o.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    isMobile: Boolean(o.phone),
    hasTouch: Boolean(o.phone),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A CSP violation or a script error shows up here: tests assert there were none.
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  return { context, page };
}

/** Console errors and uncaught exceptions seen by the page so far (CSP violations included). */
export const pageProblems = (page: Page): string[] => (page as Page & { problems?: string[] }).problems ?? [];

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

const axeSource = () => readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core inside the page (evaluated over the DevTools protocol, so the page's CSP stays on)
 * and returns the serious and critical violations.
 */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  // A string so this file compiles without the DOM library.
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
  })))`)) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
