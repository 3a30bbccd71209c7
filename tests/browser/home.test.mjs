// The home screen and the order history against a deployed stack: a signed-in customer's home page makes exactly one
// API request (GET /me/home, the backend for frontend); the history pages through GET /orders newest first and
// Reorder fills the basket with the same dishes.
//
//   E2E_OUTPUTS=.run/4599/outputs.json AWS_ENDPOINT_URL=http://localhost:4599 WEB_URL=http://127.0.0.1:8099 \
//     node --test tests/browser/home.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, byTestId, signIn, waitUntil, fixture, shot, WEB_URL } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a customer\'s home page makes exactly one API request', async () => {
  const page = await newPage(browser);
  await signIn(page, 'demo-customer');
  // A fresh load of the home page, counted from nothing.
  page.apiRequests.length = 0;
  await page.goto(`${WEB_URL}/#/`);
  await page.reload();
  await byTestId(page, 'restaurant-card').first().waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(page.apiRequests, ['GET /me/home'], 'the home page asked the API once');
  const cards = await byTestId(page, 'restaurant-card').count();
  assert.ok(cards >= 1 && cards <= 6, `${cards} restaurant cards, want the nearest open ones (1 to 6)`);
  await shot(page, 'home.png');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the order history pages newest first and reorders', async () => {
  const { username, orders } = await fixture('-count', '12', 'history');
  const page = await newPage(browser);
  await signIn(page, username);
  await page.goto(`${WEB_URL}/#/orders`);
  await byTestId(page, 'history-order').first().waitFor();
  assert.equal(await byTestId(page, 'history-order').count(), 10, 'the first page');
  await byTestId(page, 'history-more').click();
  await waitUntil(page, 'the second page', (n) => document.querySelectorAll('[data-testid="history-order"]').length === n, orders);
  assert.ok(await byTestId(page, 'history-more').isHidden(), 'no more pages');
  const ids = await byTestId(page, 'history-order').evaluateAll((els) => els.map((e) => e.dataset.orderId));
  assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
  assert.equal(new Set(ids).size, orders, 'no order twice across pages');
  assert.deepEqual(page.apiRequests.filter((r) => r.startsWith('GET /orders')).length, 2, `${page.apiRequests}`);
  await shot(page, 'history.png');

  await byTestId(page, 'reorder').first().click();
  await page.waitForURL(/#\/restaurants\/taco-loco$/);
  await waitUntil(page, 'the basket filled with the same dishes', () => document.querySelectorAll('[data-testid="basket-line"]').length === 2);
  const lines = await byTestId(page, 'basket-line').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.itemId, e.textContent])));
  assert.match(lines['tacos-al-pastor-3'], /1 ×/);
  assert.match(lines.horchata, /2 ×/);
  await shot(page, 'reorder.png');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
