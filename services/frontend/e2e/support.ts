/**
 * Browser journeys against a running platform (frontend, product, order, payment, notification, mailbox and
 * the emulators behind them). Chromium is the system one, driven by playwright-core; no browser download.
 *
 *   SHOP_FRONTEND_URL  the served app             (default http://127.0.0.1:8080)
 *   SHOP_MAILBOX_URL   the mailbox emulator's API (default http://127.0.0.1:8025)
 *   SHOP_CHROMIUM      the Chromium executable    (default /usr/bin/chromium)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const FRONTEND_URL = (process.env['SHOP_FRONTEND_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const MAILBOX_URL = (process.env['SHOP_MAILBOX_URL'] ?? 'http://127.0.0.1:8025').replace(/\/+$/, '');
const CHROMIUM = process.env['SHOP_CHROMIUM'] ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, 'screenshots');

export const CARDS = {
  success: '4242424242424242',
  decline: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and CSP violations seen so far; a journey ends with none. */
  readonly problems: string[];
}

export async function openSession(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Session> {
  const context = await browser.newContext({ viewport, baseURL: FRONTEND_URL });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function uniqueEmail(label: string): string {
  return `e2e-${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Adds the first `count` in-stock products of the catalog to the cart, one of each; returns their names. */
export async function addProductsToCart(page: Page, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let index = 0; index < count; index += 1) {
    await page.goto('/?inStock=true');
    const cards = page.getByRole('list', { name: 'Products' }).getByRole('link');
    await cards.first().waitFor();
    const link = cards.nth(index);
    const name = (await link.innerText()).trim();
    await link.click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('status').filter({ hasText: 'to your cart' }).waitFor();
    names.push(name);
  }
  return names;
}

export async function fillCheckout(
  page: Page,
  details: { email: string; name: string; card: string; phone?: string },
): Promise<void> {
  await page.getByLabel('Email address').fill(details.email);
  await page.getByLabel('Full name').fill(details.name);
  if (details.phone !== undefined) await page.getByLabel('Phone number (optional)').fill(details.phone);
  await page.getByLabel('Card number').fill(details.card);
}

export async function waitForStatus(page: Page, status: string, timeout = 60_000): Promise<void> {
  await page.locator(`[data-testid="order-status"][data-status="${status}"]`).waitFor({ timeout });
}

interface MailSummary {
  readonly id: string;
  readonly subject: string | null;
  readonly to: readonly string[];
}

/** Emails to `address`, waiting up to `waitSeconds` for the first to arrive (mailbox emulator API). */
export async function mailTo(address: string, waitSeconds = 20): Promise<readonly MailSummary[]> {
  const response = await fetch(`${MAILBOX_URL}/api/messages?to=${encodeURIComponent(address)}&wait=${waitSeconds}`);
  if (!response.ok) throw new Error(`mailbox answered ${response.status}`);
  return ((await response.json()) as { messages: MailSummary[] }).messages;
}

export async function mailText(id: string): Promise<string> {
  const response = await fetch(`${MAILBOX_URL}/api/messages/${encodeURIComponent(id)}`);
  if (!response.ok) throw new Error(`mailbox answered ${response.status}`);
  const mail = (await response.json()) as { subject?: string | null; text?: string | null; html?: string | null };
  return [mail.subject, mail.text, mail.html].filter(Boolean).join('\n');
}
