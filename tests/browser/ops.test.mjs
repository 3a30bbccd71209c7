// The ops console (#/ops) against a deployed stack: an ops user sees a poisoned message in the payment DLQ with the
// reason its consumer recorded, redrives it after confirming, and sees the order finish (REFUNDED) in its
// timeline; a customer never gets #/ops data (the app asks the API nothing, and the page says why).
//
//   E2E_OUTPUTS=.run/4599/outputs.json AWS_ENDPOINT_URL=http://localhost:4599 WEB_URL=http://127.0.0.1:8099 \
//     node --test tests/browser/ops.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, byTestId, signIn, waitUntil, fixture, shot, apiAs, axeProblems, scrollsSideways } from './helpers.mjs';

// Dead-lettering takes maxReceiveCount deliveries of the visibility timeout (3 × 10 s locally) after the stream
// and the bus, on a loaded emulator.
const DLQ_TIMEOUT = 120_000;
const PIPELINE_TIMEOUT = 90_000;

/** With data on screen: axe at 1280 px, then at 375 px no sideways scroll, axe again and a screenshot. */
async function checkWithData(page, what, name) {
  assert.deepEqual(await axeProblems(page), [], `${what} at 1280 px: axe`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.equal(await scrollsSideways(page), false, `${what} scrolls sideways at 375 px`);
  assert.deepEqual(await axeProblems(page), [], `${what} at 375 px: axe`);
  await shot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('ops sees a poisoned message with its reason, redrives it after confirming and sees the order finish', async () => {
  const { order_id: orderId } = await fixture('poison');
  const page = await newPage(browser);
  await signIn(page, 'demo-ops');
  await byTestId(page, 'nav-ops').click();
  await byTestId(page, 'ops-dlqs').waitFor();

  const row = page.locator(`[data-testid="ops-dlq"][data-queue="payment"] [data-testid="ops-dlq-message"][data-order-id="${orderId}"]`);
  await waitUntil(page, 'the poison order in the payment DLQ', (id) =>
    !!document.querySelector(`[data-queue="payment"] [data-testid="ops-dlq-message"][data-order-id="${id}"]`), orderId, DLQ_TIMEOUT);
  const reason = await row.locator('[data-testid="ops-dlq-reason"]').innerText();
  assert.match(reason, /has no charge/, `the payment function's reason, got ${reason}`);
  assert.match(await row.innerText(), /NoCourierAvailable/);
  await waitUntil(page, 'the order waiting in NO_COURIER', (id) =>
    !!document.querySelector(`[data-testid="ops-status"][data-status="NO_COURIER"] [data-order-id="${id}"]`), orderId);
  await shot(page, 'ops-dlq.png');
  await checkWithData(page, 'the console with a dead-lettered message', 'phone-ops-dlq.png');

  // Cancel first: nothing moves.
  await row.locator('[data-testid="ops-redrive"]').click();
  await byTestId(page, 'ops-confirm').waitFor({ state: 'visible' });
  await byTestId(page, 'ops-confirm-no').click();
  await byTestId(page, 'ops-confirm').waitFor({ state: 'hidden' });
  assert.ok(!page.apiRequests.some((r) => r.startsWith('POST /ops/dlqs')), `a cancelled redrive sent ${page.apiRequests}`);

  // The operator's fix, then the order's page of the console, and the redrive.
  await fixture('-order', orderId, 'fix');
  await row.locator('[data-testid="ops-order-link"]').click();
  await byTestId(page, 'ops-timeline-entry').first().waitFor();
  await waitUntil(page, 'the message listed again on the order page', (id) =>
    !!document.querySelector(`[data-queue="payment"] [data-testid="ops-dlq-message"][data-order-id="${id}"]`), orderId);
  await row.locator('[data-testid="ops-redrive"]').click();
  await byTestId(page, 'ops-confirm').waitFor({ state: 'visible' });
  assert.match(await byTestId(page, 'ops-confirm-text').innerText(), /back to the payment queue/);
  await shot(page, 'ops-confirm.png');
  await byTestId(page, 'ops-confirm-yes').click();
  await waitUntil(page, 'the redrive reported', () => /Redrove 1 message/.test(document.querySelector('[data-testid="ops-notice"]')?.textContent || ''), null, 30_000);
  await waitUntil(page, 'the order refunded in its timeline', () =>
    [...document.querySelectorAll('[data-testid="ops-timeline-entry"][data-kind="version"]')].some((li) => /REFUNDED/.test(li.textContent)), null, PIPELINE_TIMEOUT);
  await waitUntil(page, 'the message gone from the DLQ', (id) =>
    !document.querySelector(`[data-testid="ops-dlq-message"][data-order-id="${id}"]`), orderId);
  await waitUntil(page, 'the redrive, with who asked, in the timeline', () =>
    [...document.querySelectorAll('[data-testid="ops-timeline-entry"]')].some((li) => /redrove dead-lettered message/.test(li.textContent)), null, 30_000);
  await shot(page, 'ops-timeline.png');
  await checkWithData(page, 'an order\'s page of the console after its redrive', 'phone-ops-timeline.png');
  assert.equal(page.apiRequests.filter((r) => r.startsWith('POST /ops/dlqs/payment/redrive')).length, 1, `${page.apiRequests}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a customer never gets #/ops data', async () => {
  const page = await newPage(browser);
  await signIn(page, 'demo-customer');
  assert.equal(await byTestId(page, 'nav-ops').count(), 0, 'no Ops link for a customer');
  const before = page.apiRequests.length;
  await page.goto(`${page.url().split('#')[0]}#/ops`);
  await byTestId(page, 'ops-denied').waitFor();
  // Long enough for a refresh cycle to have happened if the view had started one.
  await page.waitForTimeout(5000);
  const opsCalls = page.apiRequests.slice(before).filter((r) => r.includes('/ops/'));
  assert.deepEqual(opsCalls, [], 'the console asked the API nothing');
  assert.equal(await byTestId(page, 'ops-dlqs').count(), 0);
  // And the API itself refuses the customer's token.
  for (const path of ['/ops/dlqs', '/ops/orders', '/ops/sweeps', `/ops/orders/${encodeURIComponent('any-order')}/timeline`]) {
    const { status, body } = await apiAs(page, 'GET', path);
    assert.equal(status, 403, `GET ${path} as a customer: ${status} ${JSON.stringify(body)}`);
  }
  const redrive = await apiAs(page, 'POST', '/ops/dlqs/payment/redrive', {});
  assert.equal(redrive.status, 403, `a customer's redrive: ${JSON.stringify(redrive.body)}`);
  await shot(page, 'ops-denied.png');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
