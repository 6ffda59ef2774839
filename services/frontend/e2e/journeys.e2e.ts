import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARDS,
  PHONE,
  addProductsToCart,
  fillCheckout,
  launchBrowser,
  mailText,
  mailTo,
  openSession,
  screenshot,
  uniqueEmail,
  waitForStatus,
  type Session,
} from './support';

// Undefined when Chromium failed to launch: beforeAll fails then, and no journey runs.
let browser: Browser | undefined;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

function newSession(viewport?: { width: number; height: number }): Promise<Session> {
  if (browser === undefined) throw new Error('Chromium is not running');
  return openSession(browser, viewport);
}

describe('shopping journeys', () => {
  it('buys two products with the success card: the order reaches PAID, is listed in the history and the confirmation email arrives', async () => {
    const { context, page, problems } = await newSession();
    try {
      await page.goto('/');
      await page.getByRole('list', { name: 'Products' }).waitFor();
      await screenshot(page, 'catalog');
      const names = await addProductsToCart(page, 2);
      await page.getByRole('link', { name: /^Cart, 2 items$/ }).click();
      for (const name of names) {
        // The cart renders after navigation: wait for each line before counting it.
        const line = page.getByRole('link', { name });
        await line.first().waitFor();
        await expect(line.count()).resolves.toBe(1);
      }
      await screenshot(page, 'cart');
      await page.getByRole('link', { name: 'Go to checkout' }).click();

      const email = uniqueEmail('paid');
      await fillCheckout(page, { email, name: 'Ada Lovelace', card: CARDS.success });
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
      const orderId = (await page.locator('.order__id').innerText()).trim();
      await waitForStatus(page, 'PAID');
      await page.getByText(`A confirmation email is on its way to ${email}.`).waitFor();
      await screenshot(page, 'paid-confirmation');
      await expect(page.getByRole('link', { name: /^Cart, 0 items$/ }).count()).resolves.toBe(1);

      await page.getByRole('link', { name: 'All your orders' }).click();
      await page.getByRole('link', { name: `Order ${orderId}` }).waitFor();
      await screenshot(page, 'order-history');

      const mails = await mailTo(email);
      expect(mails.length).toBeGreaterThan(0);
      const texts = await Promise.all(mails.map((mail) => mailText(mail.id)));
      expect(texts.some((text) => text.includes(orderId))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows PAYMENT_FAILED for a declined card and offers a retry that keeps the cart', async () => {
    const { context, page, problems } = await newSession();
    try {
      const [name] = await addProductsToCart(page, 1);
      await page.goto('/checkout');
      await fillCheckout(page, { email: uniqueEmail('declined'), name: 'Grace Hopper', card: CARDS.decline });
      await page.getByRole('button', { name: 'Place order' }).click();
      await waitForStatus(page, 'PAYMENT_FAILED');
      await page.getByRole('heading', { name: 'Your payment did not go through' }).waitFor();
      await page.getByText('Your card was declined by the bank.').waitFor();
      await screenshot(page, 'payment-failed');

      await page.getByRole('button', { name: 'Try again with another card' }).click();
      await page.getByRole('heading', { name: 'Checkout' }).waitFor();
      await expect(page.getByRole('complementary').getByText(`1 × ${name}`).count()).resolves.toBe(1);
      await expect(page.getByLabel('Email address').inputValue()).resolves.toMatch(/^e2e-declined-/);
      await screenshot(page, 'payment-failed-retry');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('explains insufficient funds on the confirmation page', async () => {
    const { context, page, problems } = await newSession();
    try {
      await addProductsToCart(page, 1);
      await page.goto('/checkout');
      await fillCheckout(page, { email: uniqueEmail('funds'), name: 'Alan Turing', card: CARDS.insufficientFunds });
      await page.getByRole('button', { name: 'Place order' }).click();
      await waitForStatus(page, 'PAYMENT_FAILED');
      await page.getByText('Your card has insufficient funds.').waitFor();
      await screenshot(page, 'payment-insufficient-funds');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('names each invalid field of a bad checkout form submitted from the keyboard on a phone-sized screen', async () => {
    const { context, page, problems } = await newSession(PHONE);
    try {
      await addProductsToCart(page, 1);
      await page.goto('/checkout');
      await fillCheckout(page, { email: 'not-an-email', name: '', card: '4242424242424241', phone: '12345' });
      // Submitted from the keyboard: Enter in the last field.
      await page.getByLabel('Card number').press('Enter');

      const summary = page.getByRole('alert').filter({ hasText: 'Please correct the following' });
      await summary.waitFor();
      await expect(summary.getByRole('link').count()).resolves.toBe(4);
      for (const label of ['Email address', 'Full name', 'Phone number (optional)', 'Card number']) {
        await expect(page.getByLabel(label).getAttribute('aria-invalid')).resolves.toBe('true');
      }
      await expect(page.evaluate(() => document.activeElement?.textContent ?? '')).resolves.toContain(
        'Please correct the following',
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'checkout-validation-phone');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
