// Entry point: loads config.json, draws the navigation and routes #/… hashes to views.
import { loadConfig } from './config.js';
import { currentSession, signOut, isCourier, isOps, canOrder, onSessionChange } from './auth.js';
import { h, mount } from './dom.js';
import { restaurantsView } from './views/restaurants.js';
import { menuView } from './views/menu.js';
import { orderView } from './views/order.js';
import { courierView } from './views/courier.js';
import { signinView } from './views/signin.js';
import { opsView } from './views/ops.js';
import { ordersView } from './views/orders.js';
import { inboxView } from './views/inbox.js';

const routes = [
  [/^\/$/, restaurantsView],
  [/^\/signin$/, signinView],
  [/^\/restaurants$/, (main, params, query) => restaurantsView(main, params, query, { all: true })],
  [/^\/restaurants\/([^/]+)$/, menuView],
  [/^\/orders$/, ordersView],
  [/^\/inbox$/, inboxView],
  [/^\/orders\/([^/]+)$/, orderView],
  [/^\/courier$/, courierView],
  [/^\/ops$/, opsView],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs) };
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const { path, query } = parseHash();
  drawNav(path);
  for (const [re, view] of routes) {
    const m = path.match(re);
    if (m) {
      let params;
      try {
        params = m.slice(1).map(decodeURIComponent);
      } catch {
        break;
      }
      cleanup = view(main, params, query) || null;
      if (!main.contains(document.activeElement)) main.focus({ preventScroll: true }); // a view may focus its first field
      window.scrollTo(0, 0);
      return;
    }
  }
  document.title = 'Not found · Food Delivery';
  mount(main, h('section', { class: 'card narrow' }, h('h1', {}, 'Page not found'), h('a', { href: '#/' }, 'Go to the restaurants')));
}

function drawNav(path) {
  const s = currentSession();
  const link = (href, label, active, extra = {}) => h('a', { href, class: 'nav-link', 'aria-current': active ? 'page' : null, ...extra }, label);
  mount(nav,
    link('#/', 'Restaurants', path === '/' || path.startsWith('/restaurants')),
    canOrder(s) && s ? link('#/orders', 'Your orders', path === '/orders', { 'data-testid': 'nav-orders' }) : null,
    canOrder(s) && s ? link('#/inbox', 'Inbox', path === '/inbox', { 'data-testid': 'nav-inbox' }) : null,
    isCourier(s) ? link('#/courier', 'Courier', path === '/courier', { 'data-testid': 'nav-courier' }) : null,
    isOps(s) ? link('#/ops', 'Ops', path === '/ops', { 'data-testid': 'nav-ops' }) : null,
    s
      ? h('span', { class: 'user' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, s.username.slice(0, 1).toUpperCase()),
        h('span', { class: 'user-name', 'data-testid': 'user-name' }, s.username),
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'signout', onclick: () => { signOut(); location.hash = '#/signin'; } }, 'Sign out'))
      : link(`#/signin${path === '/signin' ? '' : `?next=${encodeURIComponent(`#${path}`)}`}`, 'Sign in', path === '/signin', { 'data-testid': 'nav-signin', class: 'nav-link nav-cta' }));
}

async function start() {
  try {
    await loadConfig();
  } catch (e) {
    mount(main, h('div', { class: 'error-panel', role: 'alert' },
      h('h1', {}, 'The app is not configured'),
      h('p', {}, `Could not read config.json: ${e.message}. Serve the app with scripts/webserve.`)));
    return;
  }
  onSessionChange(() => drawNav(parseHash().path));
  window.addEventListener('hashchange', route);
  route();
}

start();
