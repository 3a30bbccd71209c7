// The home screen, the inbox and the order history against a deployed stack: a signed-in customer's home page makes
// exactly one API request (GET /me/home, the backend for frontend), which carries the unread count; the inbox lists
// the customer's messages across orders (GET /me/notifications) and marks them read (POST /me/notifications/read);
// the history pages through GET /orders newest first and Reorder fills the basket with the same dishes.
//
//   E2E_OUTPUTS=.run/4599/outputs.json AWS_ENDPOINT_URL=http://localhost:4599 WEB_URL=http://127.0.0.1:8099 \
//     node --test tests/browser/home.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, byTestId, signIn, waitUntil, fixture, shot, apiAs, axeProblems, scrollsSideways, WEB_URL } from './helpers.mjs';

// Payment, then the notification, cross the stream, the bus and two queues on a loaded emulator.
const PIPELINE_TIMEOUT = 90_000;

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

test('the home shows the unread count from its one request, and the inbox lists and marks them read', async () => {
  // A customer of their own with one past order whose "delivered" message is read (tests/browser/fixture), then two
  // orders declined for real: the payment function fails them, the notification function puts "payment failed" in
  // the inbox, twice.
  const { username } = await fixture('-count', '1', '-inbox', 'history');
  const page = await newPage(browser);
  await signIn(page, username);
  for (let i = 0; i < 2; i++) {
    const placed = await apiAs(page, 'POST', '/orders', {
      restaurant_id: 'taco-loco', items: [{ item_id: 'tacos-al-pastor-3', quantity: 1 }],
      delivery_location: { lat: 52.535, lng: 13.41 }, payment_token: 'tok_decline_expired_card',
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
  }
  const until = Date.now() + PIPELINE_TIMEOUT;
  let inbox;
  do {
    inbox = await apiAs(page, 'GET', '/me/notifications');
    if (inbox.body?.unread === 2) break;
    await page.waitForTimeout(1000); // polling the API, a second apart
  } while (Date.now() < until);
  assert.equal(inbox.body?.unread, 2, `two unread messages: ${JSON.stringify(inbox.body)}`);

  // The home page: one request, and the count it carried.
  page.apiRequests.length = 0;
  await page.goto(`${WEB_URL}/#/`);
  await page.reload();
  await byTestId(page, 'home-unread').waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(page.apiRequests, ['GET /me/home'], 'the home page asked the API once');
  assert.equal(await byTestId(page, 'home-unread').getAttribute('data-unread'), '2');
  assert.match(await byTestId(page, 'home-unread').innerText(), /2 unread messages/);
  await shot(page, 'home-unread.png');

  // The inbox, from the home's link: the customer-wide list, not one order's.
  page.apiRequests.length = 0;
  await byTestId(page, 'home-unread').click();
  await page.waitForURL(/#\/inbox$/);
  await waitUntil(page, 'two unread messages and the read one listed', () =>
    document.querySelectorAll('[data-testid="inbox-item"][data-read="false"]').length === 2 &&
    document.querySelectorAll('[data-testid="inbox-item"][data-read="true"]').length === 1 &&
    document.querySelector('[data-testid="inbox-unread"]')?.dataset.unread === '2');
  assert.deepEqual(page.apiRequests, ['GET /me/notifications?limit=20'], 'the inbox read the customer-wide list');
  assert.match(await byTestId(page, 'inbox').innerText(), /[Pp]ayment/);
  assert.deepEqual(await axeProblems(page), [], 'the inbox at 1280 px: axe');
  await shot(page, 'inbox.png');
  await page.setViewportSize({ width: 375, height: 800 });
  assert.equal(await scrollsSideways(page), false, 'the inbox scrolls sideways at 375 px');
  assert.deepEqual(await axeProblems(page), [], 'the inbox at 375 px: axe');
  await shot(page, 'phone-inbox.png');
  await page.setViewportSize({ width: 1280, height: 900 });

  // One marked read by its button, then the rest by "Mark all read".
  const first = byTestId(page, 'inbox-item').first();
  const firstId = await first.getAttribute('data-event-id');
  await first.locator('[data-testid="inbox-mark-read"]').click();
  await waitUntil(page, 'one left unread', () => document.querySelector('[data-testid="inbox-unread"]')?.dataset.unread === '1');
  assert.equal(await first.getAttribute('data-read'), 'true');
  await byTestId(page, 'inbox-mark-all').click();
  await waitUntil(page, 'nothing left unread', () => document.querySelector('[data-testid="inbox-unread"]')?.dataset.unread === '0' &&
    !document.querySelector('[data-testid="inbox-item"][data-read="false"]'));
  const posts = page.apiRequests.filter((r) => r.startsWith('POST '));
  assert.deepEqual(posts, ['POST /me/notifications/read', 'POST /me/notifications/read'], `${page.apiRequests}`);
  assert.ok(!page.apiRequests.some((r) => /^GET \/orders\/[^/]+\/notifications/.test(r)), `${page.apiRequests}`);
  const after = await apiAs(page, 'GET', '/me/notifications');
  assert.equal(after.body.unread, 0);
  assert.ok(after.body.notifications.every((n) => n.read_at), JSON.stringify(after.body));
  assert.ok(after.body.notifications.some((n) => n.event_id === firstId));

  // And the home's count follows.
  await byTestId(page, 'nav-orders').waitFor();
  await page.goto(`${WEB_URL}/#/`);
  await waitUntil(page, 'the home to say nothing is unread', () => document.querySelector('[data-testid="home-unread"]')?.dataset.unread === '0');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
