import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { usersCommand } from '../../../src/cli/users-command';
import type { Config } from '../../../src/config';

/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core (no browser
 * download), pages in contexts of their own (each its own cookies: one person), every page's errors and
 * CSP violations collected, and accounts made as an admin would, with `liquibot users add`.
 */
export interface ConsoleBrowser {
  readonly browser: Browser;
  /** A page in a fresh context (no cookies). */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Every console error, CSP violation or uncaught error any page reported. */
  readonly problems: string[];
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  return {
    browser,
    problems,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', ...options });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

/** Signs in with a password on the login page the page is on (or `consoleUrl`/login), and waits for the queue. */
export async function signIn(page: Page, consoleUrl: string, email: string, password: string): Promise<Page> {
  if (new URL(page.url()).pathname !== new URL(`${consoleUrl}/login`).pathname) await page.goto(`${consoleUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${consoleUrl}/`), page.click('button[type=submit]:has-text("Se connecter")')]);
  return page;
}

/**
 * `liquibot users add EMAIL --role ROLE` with `password` typed at the prompt, or `--invite` when null;
 * returns what the command printed (the invitation link).
 */
export async function addConsoleUser(config: Config, email: string, role: 'agent' | 'admin', password: string | null, now?: () => Date): Promise<string[]> {
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  const args = ['add', email, '--role', role, ...(password === null ? ['--invite'] : []), '--as', 'test'];
  const code = await usersCommand(args, io, config, { isInteractive: false, readPassword: async () => password ?? '' }, now);
  expect(code, out.join('\n')).toBe(0);
  return out;
}
