// Shared by the browser tests added with the ops console (ops.test.mjs): the browser, pages that record script
// errors, sign-in, DOM polling, and the Go fixture that makes what the web app cannot (a poison message).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const WEB_URL = (process.env.WEB_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const PASSWORD = process.env.DEMO_PASSWORD || 'demo-password-1';
export const SHOTS = fileURLToPath(new URL('../../.run/browser/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const UI_TIMEOUT = 15_000;

export async function launch() {
  const res = await fetch(`${WEB_URL}/config.json`).catch((e) => ({ ok: false, statusText: e.message }));
  assert.ok(res.ok, `no web app at ${WEB_URL} (${res.status || ''} ${res.statusText}): start scripts/webserve and set WEB_URL`);
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh context and page that records script errors, CSP violations and every request to the API. */
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.apiRequests = [];
  const apiBase = await (await fetch(`${WEB_URL}/config.json`)).json().then((c) => c.apiBase);
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|SyntaxError|TypeError|ReferenceError/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (r.url().startsWith(apiBase) && r.method() !== 'OPTIONS') page.apiRequests.push(`${r.method()} ${r.url().slice(apiBase.length).replace(/^\/?/, '/')}`);
  });
  page.setDefaultTimeout(UI_TIMEOUT);
  return page;
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

export async function signIn(page, username, password = PASSWORD) {
  await page.goto(`${WEB_URL}/#/signin`);
  await byTestId(page, 'signin-username').fill(username);
  await byTestId(page, 'signin-password').fill(password);
  await byTestId(page, 'signin-submit').click();
  await page.locator('[data-testid="user-name"]', { hasText: username }).waitFor();
}

/** Polls fn(arg) in the page until truthy; on timeout says what was awaited and what the page showed. */
export async function waitUntil(page, what, fn, arg, timeout = UI_TIMEOUT) {
  try {
    return await (await page.waitForFunction(fn, arg, { timeout, polling: 250 })).jsonValue();
  } catch (e) {
    const shown = await page.locator('main').innerText().catch(() => '(no main)');
    throw new Error(`timed out after ${timeout} ms waiting for ${what}\n--- page shows ---\n${shown.slice(0, 2000)}`, { cause: e });
  }
}

/** Runs tests/browser/fixture (Go) against the deployed stack (E2E_OUTPUTS) and returns its JSON answer. */
export async function fixture(...args) {
  assert.ok(process.env.E2E_OUTPUTS, 'E2E_OUTPUTS must name the stack outputs (make e2e sets it)');
  // Retried: under load the emulator has answered a DynamoDB call with a body that failed the SDK's checksum. Every
  // command is safe to repeat.
  let last;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const { stdout } = await promisify(execFile)('go', ['run', './tests/browser/fixture', ...args], { cwd: ROOT, timeout: 180_000 });
      return JSON.parse(stdout);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** Calls the API from the page with its signed-in user's ID token, as the app does; answers {status, body}. */
export async function apiAs(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const cfg = await (await fetch('/config.json')).json();
    const tok = JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find((k) => /session/i.test(k)) || 'null'))?.idToken;
    const headers = { Authorization: `Bearer ${tok}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${cfg.apiBase.replace(/\/$/, '')}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, { method, path, body });
}

export const shot = (page, name) => page.screenshot({ path: `${SHOTS}${name}`, fullPage: true, animations: 'disabled' });

// axe-core (npm, pinned in package.json) is read from node_modules and evaluated in the page through the DevTools
// protocol, which the page's Content-Security-Policy does not apply to: nothing is fetched from elsewhere.
let axeSource;
/** Runs axe-core on the page and returns its serious and critical violations, each as "rule: target…". */
export async function axeProblems(page) {
  axeSource ??= await readFile(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} [${n.failureSummary || ''}]`.replace(/\s+/g, ' ')).join(', ')}`));
  return violations;
}

/** Whether the page scrolls sideways: its content is wider than the viewport. */
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
