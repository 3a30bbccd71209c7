// Accessibility and phone widths on every view, customer, courier and ops: axe-core (npm, pinned in package.json)
// finds no serious or critical violation, and at 375 px wide no view scrolls sideways.
//
//   WEB_URL=http://127.0.0.1:8099 node --test tests/browser/a11y.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fixture, WEB_URL, axeProblems, scrollsSideways, shot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Visits each hash as the user (null: signed out) at both widths and checks it. ready names what shows it loaded;
 * at 375 px the view is saved as .run/browser/phone-<who>-<name>.png.
 */
async function check(user, who, views) {
  for (const width of [1280, 375]) {
    const page = await newPage(browser, { width, height: 800 });
    if (user) await signIn(page, user);
    for (const [hash, ready, name] of views) {
      await page.goto(`${WEB_URL}/${hash}`);
      await page.locator(ready).first().waitFor();
      await page.waitForLoadState('networkidle');
      const problems = await axeProblems(page);
      assert.deepEqual(problems, [], `${user || 'signed out'} ${hash} at ${width} px: axe`);
      assert.equal(await scrollsSideways(page), false, `${user || 'signed out'} ${hash} scrolls sideways at ${width} px`);
      if (width === 375) await shot(page, `phone-${who}-${name}.png`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
}

test('signed out: home, every restaurant, sign-in, a menu, a customer\'s page', async () => {
  await check(null, 'anon', [['#/', '[data-testid="restaurant-card"]', 'home'],
    ['#/restaurants', '[data-testid="restaurant-card"]', 'all-restaurants'], ['#/signin', '[data-testid="signin-username"]', 'signin'],
    ['#/restaurants/taco-loco', '[data-testid="menu-item"]', 'menu'], ['#/inbox', 'main a[href^="#/signin"]', 'inbox-signin']]);
});

test('customer: home, history, inbox, a menu, an order, the ops page refused', async () => {
  // A customer of its own with past orders and inbox messages, read and unread (tests/browser/fixture), so the
  // history, the inbox and an order page have content.
  const { username } = await fixture('-count', '3', '-inbox', 'history');
  const orderID = `${username}-02`;
  await check(username, 'customer', [['#/', '[data-testid="home-unread"]', 'home'], ['#/orders', '[data-testid="history-order"]', 'history'],
    ['#/inbox', '[data-testid="inbox-item"][data-read="true"]', 'inbox'],
    [`#/orders/${orderID}`, '[data-testid="timeline-step"]', 'order'],
    ['#/restaurants/taco-loco', '[data-testid="menu-item"]', 'menu'], ['#/ops', '[data-testid="ops-denied"]', 'ops-refused']]);
});

test('courier: the courier view', async () => {
  // Without a job; the courier view with a job in hand is checked in order.test.mjs's journey (courier-job.png).
  await check('courier-anna', 'courier', [['#/courier', 'main h1', 'idle']]);
});

test('ops: the console', async () => {
  // Whatever the DLQs hold now; with a dead-lettered message and an order's timeline, ops.test.mjs checks it too.
  await check('demo-ops', 'ops', [['#/ops', '[data-testid="ops-dlq"]', 'console']]);
});

/** Presses Tab until the focused element matches selector (at most max times); fails if it never does. */
async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => !!document.activeElement?.matches(sel), selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('the order journey works with the keyboard alone', async () => {
  const page = await newPage(browser);
  await page.goto(`${WEB_URL}/#/signin`);
  await tabTo(page, '[data-testid="signin-username"]');
  await page.keyboard.type('demo-customer');
  await tabTo(page, '[data-testid="signin-password"]');
  await page.keyboard.type(process.env.DEMO_PASSWORD || 'demo-password-1');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="user-name"]', { hasText: 'demo-customer' }).waitFor();
  await page.locator('[data-testid="restaurant-card"]').first().waitFor();
  await tabTo(page, '[data-testid="restaurant-card"]');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="menu-item"]').first().waitFor();
  await tabTo(page, '[data-testid="menu-item"]:not(.unavailable) [data-testid="qty-inc"]');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="basket-line"]').first().waitFor();
  await tabTo(page, '[data-testid="place-order"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/orders\/[^/]+$/, { timeout: 30_000 });
  await page.locator('[data-testid="timeline-step"]').first().waitFor();
  assert.deepEqual(await axeProblems(page), [], 'the order page, reached by keyboard');
  await shot(page, 'keyboard-order.png');
  // And cancelled by keyboard too (which frees its courier for the other tests): the confirmation takes the focus.
  await tabTo(page, '[data-testid="cancel-order"]');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="confirm-cancel"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'confirm-cancel');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="timeline-step"][data-status="CANCELLED"]').waitFor({ timeout: 30_000 });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
