// Browser test of the web app against a deployed stack:
//
//   WEB_URL=http://127.0.0.1:8088 node --test tests/browser/
//
// Optional: CHROMIUM_PATH (default /usr/bin/chromium), DEMO_PASSWORD, DEMO_COURIERS.
//
// Drives Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) through
// playwright-core; no browser is downloaded. Every wait polls the DOM until a
// deadline; nothing sleeps a fixed time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { axeProblems, scrollsSideways } from './helpers.mjs';

const WEB_URL = (process.env.WEB_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const PASSWORD = process.env.DEMO_PASSWORD || 'demo-password-1';
const CUSTOMER = 'demo-customer';
// The seeded couriers (shared/devstack/demo.go); DEMO_COURIERS=a,b,… overrides the list or its order.
const COURIERS = (process.env.DEMO_COURIERS || 'courier-anna,courier-ben,courier-chloe,courier-dev').split(',').map((c) => c.trim()).filter(Boolean);
const SHOTS = fileURLToPath(new URL('../../.run/browser/', import.meta.url));

// The emulator runs every Lambda invocation as a cold process and the order
// crosses four of them (and three queues) before a courier is assigned.
const UI_TIMEOUT = 15_000;
const PIPELINE_TIMEOUT = 90_000;

let browser;

before(async () => {
  const res = await fetch(`${WEB_URL}/config.json`).catch((e) => ({ ok: false, statusText: e.message }));
  assert.ok(res.ok, `no web app at ${WEB_URL} (${res.status || ''} ${res.statusText}): start scripts/webserve and set WEB_URL`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

/** A fresh context (own sessionStorage) and page that records script errors and CSP violations. */
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|SyntaxError|TypeError|ReferenceError/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(UI_TIMEOUT);
  return page;
}

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

async function signIn(page, username, password = PASSWORD) {
  await page.goto(`${WEB_URL}/#/signin`);
  await byTestId(page, 'signin-username').fill(username);
  await byTestId(page, 'signin-password').fill(password);
  await byTestId(page, 'signin-submit').click();
}

async function signedInAs(page, username) {
  await page.locator('[data-testid="user-name"]', { hasText: username }).waitFor();
}

/**
 * Polls fn(arg) in the page until it returns a truthy value or the deadline
 * passes; on timeout the error says what was awaited and what the page showed.
 */
async function waitUntil(page, what, fn, arg, timeout = UI_TIMEOUT) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout, polling: 250 })).jsonValue();
  } catch (e) {
    const shown = await page.locator('main').innerText().catch(() => '(no main)');
    throw new Error(`timed out after ${timeout} ms waiting for ${what}\n--- page shows ---\n${shown.slice(0, 1500)}`, { cause: e });
  }
}

const stepReached = (status) => (s) => {
  const li = document.querySelector(`[data-testid="timeline-step"][data-status="${s}"]`);
  return !!li && (li.dataset.state === 'done' || li.dataset.state === 'current');
};

test('a failed sign-in shows the sign-in service\'s message on the password field', async () => {
  const page = await newPage();
  await signIn(page, CUSTOMER, 'not-the-password-1');
  const error = byTestId(page, 'signin-error');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.match(text, /incorrect|not authori[sz]ed|password/i, `error text: ${text}`);
  assert.equal(await byTestId(page, 'signin-password').getAttribute('aria-invalid'), 'true');
  assert.equal(await byTestId(page, 'user-name').count(), 0, 'nobody is signed in');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an order the API refuses shows its message and marks the field', async () => {
  const page = await newPage();
  await signIn(page, CUSTOMER);
  await signedInAs(page, CUSTOMER);
  await byTestId(page, 'restaurant-card').first().click();
  await byTestId(page, 'menu-item').first().waitFor();
  await page.locator('[data-testid="menu-item"]:not(.unavailable) [data-testid="qty-inc"]').first().click();
  // Munich: valid coordinates, but far beyond the 15 km the server delivers.
  await byTestId(page, 'delivery-lat').fill('48.1374');
  await byTestId(page, 'delivery-lng').fill('11.5755');
  await byTestId(page, 'place-order').click();
  const error = byTestId(page, 'basket-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), /km|delivery/i, 'the message is the API\'s');
  assert.equal(await error.getAttribute('data-field'), 'delivery_location');
  assert.equal(await byTestId(page, 'delivery-lat').getAttribute('aria-invalid'), 'true');
  assert.match(page.url(), /#\/restaurants\//, 'still on the menu');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a customer cancels an order and is told', async () => {
  const page = await newPage();
  await signIn(page, CUSTOMER);
  await signedInAs(page, CUSTOMER);
  await byTestId(page, 'restaurant-card').last().click();
  await page.locator('[data-testid="menu-item"]:not(.unavailable) [data-testid="qty-inc"]').first().click();
  await byTestId(page, 'place-order').click();
  await page.waitForURL(/#\/orders\/[^/]+$/);
  await byTestId(page, 'cancel-order').click();
  await byTestId(page, 'confirm-cancel').click();
  await waitUntil(page, 'the order to show CANCELLED (or REFUNDED)', () => {
    const s = document.querySelector('[data-testid="order-status"]')?.dataset.status;
    return (s === 'CANCELLED' || s === 'REFUNDED') && !!document.querySelector(`[data-testid="timeline-step"][data-status="${s}"]`);
  }, null, UI_TIMEOUT);
  assert.equal(await byTestId(page, 'cancel-order').count(), 0, 'no cancel button on a cancelled order');
  await waitUntil(page, 'an "Order cancelled" notification',
    () => [...document.querySelectorAll('[data-testid="notification"]')].some((n) => n.textContent.includes('cancelled')),
    null, PIPELINE_TIMEOUT);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a customer orders, the assigned courier picks up and delivers, the customer sees it live', async (t) => {
  const started = Date.now();
  const customer = await newPage();
  // What the order page reads over HTTP, and the frames its live socket receives.
  const reads = [];
  customer.on('request', (r) => {
    if (r.method() === 'GET' && /\/orders\/[^/?]+(\/(tracking|notifications))?$/.test(new URL(r.url()).pathname)) reads.push(new URL(r.url()).pathname);
  });
  const frames = [];
  customer.on('websocket', (ws) => ws.on('framereceived', (f) => {
    try {
      frames.push(JSON.parse(f.payload));
    } catch {
      frames.push({ unparsed: String(f.payload) });
    }
  }));

  // Sign in and fill a basket with two dishes.
  await signIn(customer, CUSTOMER);
  await signedInAs(customer, CUSTOMER);
  const cards = byTestId(customer, 'restaurant-card');
  await cards.first().waitFor();
  const roma = customer.locator('[data-testid="restaurant-card"][data-restaurant-id="trattoria-roma"]');
  await ((await roma.count()) ? roma : cards.first()).click();
  const available = customer.locator('[data-testid="menu-item"]:not(.unavailable)');
  await available.first().waitFor();
  assert.ok((await available.count()) >= 2, 'the restaurant has two dishes');
  await available.nth(0).locator('[data-testid="qty-inc"]').click();
  await available.nth(0).locator('[data-testid="qty-inc"]').click();
  await available.nth(1).locator('[data-testid="qty-inc"]').click();
  assert.equal(await byTestId(customer, 'basket-line').count(), 2);
  assert.equal(await available.nth(0).locator('[data-testid="qty-value"]').innerText(), '2');
  const estimatedSubtotal = await byTestId(customer, 'basket-subtotal').innerText();

  // Place it: the order page shows the server's totals.
  await byTestId(customer, 'place-order').click();
  await customer.waitForURL(/#\/orders\/[^/]+$/);
  const orderId = decodeURIComponent(customer.url().split('#/orders/')[1]);
  assert.equal(await byTestId(customer, 'order-subtotal').innerText(), estimatedSubtotal, 'the server priced the basket as the menu showed');
  assert.match(await byTestId(customer, 'order-total').innerText(), /^€\d+\.\d\d$/);
  t.diagnostic(`order ${orderId} placed after ${Date.now() - started} ms`);

  // Payment, then assignment, arrive through the event pipeline.
  await waitUntil(customer, 'the timeline to reach COURIER_ASSIGNED', stepReached('COURIER_ASSIGNED'), 'COURIER_ASSIGNED', PIPELINE_TIMEOUT);
  await waitUntil(customer, 'an "order is confirmed" notification (the paid order, shared/notify/templates/en)',
    () => [...document.querySelectorAll('[data-testid="notification"]')].some((n) => n.textContent.includes('is confirmed')),
    null, PIPELINE_TIMEOUT);
  t.diagnostic(`courier assigned and payment notified after ${Date.now() - started} ms`);
  // The customer is shown the courier's name, never the courier's id.
  const courierName = (await byTestId(customer, 'courier-name').innerText()).trim();
  assert.ok(courierName, 'the order page names the courier');
  await customer.screenshot({ path: `${SHOTS}order.png`, fullPage: true, animations: 'disabled' });

  // Find the courier account: the API refuses the status change to anyone else (404, as for an unknown order).
  const tryPickedUp = async (page, username) => {
    await signIn(page, username);
    await signedInAs(page, username);
    await byTestId(page, 'courier-sub').waitFor();
    await byTestId(page, 'courier-order-id').fill(orderId);
    await byTestId(page, 'picked-up').click();
    return waitUntil(page, `an answer to "Picked up" for ${username}`, () => {
      const ok = document.querySelector('[data-testid="courier-message"]:not([hidden])');
      const err = document.querySelector('[data-testid="courier-error"]:not([hidden])');
      return ok ? 'ok' : err ? `error: ${err.textContent}` : '';
    });
  };
  // The courier page shows its own name (GET /couriers/me), the one customers see.
  const nameOn = (page) => waitUntil(page, 'the courier page to show its name', () => {
    const el = document.querySelector('[data-testid="courier-name"]');
    return el && el.textContent.trim();
  });
  const refused = async (page, username, outcome) => {
    assert.match(outcome, /^error: .*not one you are carrying/, `${username} was refused for the right reason`);
    assert.notEqual(await nameOn(page), courierName, `${username} is the assigned courier but was refused`);
  };
  const courier = await newPage();
  let found = '';
  let refusals = 0;
  for (const username of COURIERS) {
    const outcome = await tryPickedUp(courier, username);
    if (outcome === 'ok') {
      found = username;
      break;
    }
    await refused(courier, username, outcome);
    refusals++;
    await byTestId(courier, 'signout').click();
  }
  assert.ok(found, `one of ${COURIERS.join(', ')} is the assigned courier ${courierName}`);
  if (!refusals) {
    // The first courier was the one: check the refusal with another anyway.
    const other = await newPage();
    const username = COURIERS.find((c) => c !== found);
    await refused(other, username, await tryPickedUp(other, username));
    assert.equal(await byTestId(other, 'courier-error').getAttribute('role'), 'alert');
    await other.context().close();
  }
  assert.equal(await nameOn(courier), courierName, 'the courier who picked up is the one the order page shows');
  t.diagnostic(`${found} picked up after ${Date.now() - started} ms`);
  await waitUntil(customer, 'the timeline to reach PICKED_UP', stepReached('PICKED_UP'), 'PICKED_UP');

  // The courier reports a position on the way; the answer names the assigned order and the customer's map shows it.
  await byTestId(courier, 'courier-preset').selectOption('Alexanderplatz');
  await byTestId(courier, 'send-location').click();
  await courier.locator('[data-testid="assigned-order"]', { hasText: orderId }).waitFor();
  await byTestId(customer, 'map-courier').waitFor();

  // The courier's screen with the job in hand (status, pickup, drop-off, items, the map with both ends and the
  // courier): axe-core finds nothing serious or critical, and at 375 px it does not scroll sideways.
  await byTestId(courier, 'job-items').waitFor();
  assert.deepEqual(await axeProblems(courier), [], 'the courier view with an active job at 1280 px: axe');
  await courier.screenshot({ path: `${SHOTS}courier-job.png`, fullPage: true, animations: 'disabled' });
  await courier.setViewportSize({ width: 375, height: 800 });
  assert.equal(await scrollsSideways(courier), false, 'the courier view with an active job scrolls sideways at 375 px');
  assert.deepEqual(await axeProblems(courier), [], 'the courier view with an active job at 375 px: axe');
  await courier.screenshot({ path: `${SHOTS}phone-courier-job.png`, fullPage: true, animations: 'disabled' });
  await courier.setViewportSize({ width: 1280, height: 900 });

  await byTestId(courier, 'delivered').click();
  await courier.locator('[data-testid="courier-message"]', { hasText: 'delivered' }).waitFor();
  await courier.screenshot({ path: `${SHOTS}courier.png`, fullPage: true, animations: 'disabled' });

  await waitUntil(customer, 'the order to show DELIVERED', () => {
    const pill = document.querySelector('[data-testid="order-status"]');
    const step = document.querySelector('[data-testid="timeline-step"][data-status="DELIVERED"]');
    return pill && pill.dataset.status === 'DELIVERED' && step && step.dataset.state === 'done';
  }, null, UI_TIMEOUT);
  t.diagnostic(`delivered after ${Date.now() - started} ms`);

  // It came over the socket: status frames in increasing seq, the courier's position, and the page read the courier's
  // position over HTTP only once, when it opened (before there was one), so the map's courier came from a frame.
  const mine = frames.filter((f) => f.order_id === orderId);
  const statuses = mine.filter((f) => f.type === 'status').map((f) => f.status);
  assert.ok(mine.some((f) => f.type === 'subscribed'), `the page subscribed: ${JSON.stringify(frames)}`);
  for (const s of ['COURIER_ASSIGNED', 'PICKED_UP', 'DELIVERED']) assert.ok(statuses.includes(s), `a ${s} frame: ${JSON.stringify(mine)}`);
  assert.ok(mine.some((f) => f.type === 'position'), `a position frame: ${JSON.stringify(mine)}`);
  const seqs = mine.filter((f) => f.type !== 'subscribed').map((f) => f.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'frames arrive in seq order');
  const path = `/orders/${encodeURIComponent(orderId)}`;
  const count = (suffix) => reads.filter((p) => p.endsWith(path + suffix)).length;
  t.diagnostic(`HTTP reads while live: ${count('')} order, ${count('/notifications')} inbox, ${count('/tracking')} tracking; ${mine.length} frames`);
  assert.equal(count('/tracking'), 1, `the page polled the position while its socket was up: ${reads.join(' ')}`);
  // One read of the order and the inbox when the page opens, one per status frame, one more after the final one.
  assert.ok(count('') <= 2 + statuses.length, `${count('')} reads of the order for ${statuses.length} status frames: ${reads.join(' ')}`);
  assert.ok(count('/notifications') <= 2 + statuses.length, `${count('/notifications')} reads of the inbox: ${reads.join(' ')}`);
  await customer.screenshot({ path: `${SHOTS}delivered.png`, fullPage: true, animations: 'disabled' });

  assert.deepEqual(customer.problems, []);
  assert.deepEqual(courier.problems, []);
  await courier.context().close();
  await customer.context().close();
});

test('a sharing courier records fixes at the cadence of config.json and sends them in batches', async () => {
  const page = await newPage();
  // The cadence comes from config.json (scripts/webserve, from shared/tracking/cadence): served faster here, so
  // that a few batches take seconds, not minutes. The app must follow whatever it is given.
  const real = await (await fetch(`${WEB_URL}/config.json`)).json();
  assert.ok(real.cadence && real.cadence.recordEveryMs > 0 && real.cadence.sendEveryMs > real.cadence.recordEveryMs,
    `config.json carries the cadence: ${JSON.stringify(real.cadence)}`);
  const cadence = { ...real.cadence, recordEveryMs: 300, sendEveryMs: 1500 };
  await page.route('**/config.json', (route) => route.fulfill({ json: { ...real, cadence } }));
  const batches = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/couriers/me/location')) batches.push({ at: Date.now(), fixes: r.postDataJSON().positions });
  });

  await signIn(page, COURIERS[COURIERS.length - 1]);
  await byTestId(page, 'courier-sub').waitFor();
  // The screen starts from where the API last saw the courier (drawn as "You"), so the fixes are plausible.
  await byTestId(page, 'map-courier').waitFor();
  await byTestId(page, 'share-location').click();
  const deadline = Date.now() + UI_TIMEOUT;
  while (batches.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await byTestId(page, 'share-location').click(); // stop
  assert.ok(batches.length >= 3, `three batches sent while sharing, got ${batches.length}`);
  assert.equal(await byTestId(page, 'courier-error').isVisible(), false, await byTestId(page, 'courier-error').innerText());

  let previous = 0;
  for (const [i, b] of batches.entries()) {
    assert.ok(b.fixes.length >= 1 && b.fixes.length <= cadence.maxBatch, `batch ${i}: ${b.fixes.length} fixes`);
    for (const f of b.fixes) {
      const at = Date.parse(f.recorded_at);
      assert.ok(at > previous, `batch ${i}: recorded_at ${f.recorded_at} does not grow`);
      if (previous) assert.ok(at - previous >= cadence.recordEveryMs * 0.8, `fixes ${at - previous} ms apart, the cadence says ${cadence.recordEveryMs}`);
      previous = at;
    }
  }
  // Batching, not a request per fix: a batch every sendEveryMs holding the fixes recorded since the last.
  assert.ok(batches.every((b) => b.fixes.length >= 2), `batch sizes ${batches.map((b) => b.fixes.length)}`);
  for (let i = 1; i < batches.length; i++) {
    const gap = batches[i].at - batches[i - 1].at;
    assert.ok(gap >= cadence.sendEveryMs * 0.8, `batches ${gap} ms apart, the cadence says ${cadence.sendEveryMs}`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('while the live socket is down the order page polls every cadence.fallbackPollEveryMs, and stops once it is back', async (t) => {
  const page = await newPage();
  const config = await (await fetch(`${WEB_URL}/config.json`)).json();
  const pollMs = config.cadence.fallbackPollEveryMs;
  assert.ok(config.webSocketUrl && pollMs > 0, `config.json has the socket and the cadence: ${JSON.stringify(config)}`);
  // The socket is refused until `up` is set: every handshake is closed at once.
  let up = false;
  await page.routeWebSocket(/./, (ws) => {
    if (up) ws.connectToServer();
    else ws.close({ code: 1011, reason: 'down for the test' });
  });
  const reads = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && /\/orders\/[^/?]+\/tracking$/.test(new URL(r.url()).pathname)) reads.push(Date.now());
  });
  await signIn(page, CUSTOMER);
  await signedInAs(page, CUSTOMER);
  // An order that stays under way for the whole test (it is cancelled at the end, which frees its courier).
  const apiCall = (method, path, body) => page.evaluate(async ([method, path, body]) => {
    const c = await (await fetch('config.json')).json();
    const s = JSON.parse(sessionStorage.getItem('fd.session')); // web/js/auth.js
    const r = await fetch(`${c.apiBase}${path}`, {
      method, headers: { Authorization: `Bearer ${s.idToken}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    });
    return r.json();
  }, [method, path, body]);
  const res = await apiCall('POST', '/orders', { restaurant_id: 'taco-loco', items: [{ item_id: 'horchata', quantity: 1 }], delivery_location: { lat: 52.535, lng: 13.41 } });
  assert.ok(res.id, `placed: ${JSON.stringify(res)}`);
  await page.goto(`${WEB_URL}/#/orders/${encodeURIComponent(res.id)}`);
  const downFor = 2.5 * pollMs;
  await waitUntil(page, 'the page to say it is reconnecting', () => document.querySelector('[data-testid="live"]')?.dataset.socket === 'down');
  await page.waitForTimeout(downFor); // the behaviour under test is a pace: this waits it out
  const polls = reads.length;
  t.diagnostic(`${polls} tracking reads in ${downFor} ms with the socket down (one every ${pollMs} ms expected, plus the first)`);
  assert.ok(polls >= 2 && polls <= Math.ceil(downFor / pollMs) + 1, `${polls} polls while down for ${downFor} ms at one per ${pollMs} ms`);
  const gaps = reads.slice(1).map((x, i) => x - reads[i]);
  assert.ok(gaps.every((g) => g >= pollMs * 0.9), `polls closer than ${pollMs} ms: ${gaps}`);

  // The socket comes back (the page's backoff retries): polling stops.
  up = true;
  await waitUntil(page, 'the socket to be live again', () => document.querySelector('[data-testid="live"]')?.dataset.socket === 'live', null, 45_000);
  const atLive = reads.length;
  await page.waitForTimeout(pollMs * 1.5);
  assert.equal(reads.length, atLive, 'the page kept polling with its socket up');
  const cancelled = await apiCall('POST', `/orders/${encodeURIComponent(res.id)}/cancel`);
  assert.equal(cancelled.status, 'CANCELLED', `cancel: ${JSON.stringify(cancelled)}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
