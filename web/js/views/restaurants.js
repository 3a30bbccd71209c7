// The restaurant list (public) and, when signed in, the customer's recent orders.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { currentSession, canOrder } from '../auth.js';
import { recentOrders } from '../store.js';
import { money, humanStatus, openNow } from '../format.js';

const CUISINE_HUES = { Italian: 8, Japanese: 345, German: 38, Mexican: 145 };
const BAD = new Set(['PAYMENT_FAILED', 'CANCELLED', 'REFUNDED']);

export function restaurantsView(main) {
  document.title = 'Restaurants · Food Delivery';
  const list = h('div', { class: 'grid restaurants', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading restaurants…'));
  const recent = h('div');
  mount(main, h('section', {},
    h('div', { class: 'page-head' },
      h('h1', {}, 'Restaurants'),
      h('p', { class: 'lead' }, 'Order from kitchens around central Berlin. Your courier is tracked live.')),
    list,
    recent));

  const load = async () => {
    try {
      const restaurants = await api.restaurants();
      list.removeAttribute('aria-busy');
      if (!restaurants.length) return mount(list, h('p', { class: 'muted' }, 'No restaurants are open right now.'));
      mount(list, restaurants.map(card));
    } catch (e) {
      list.removeAttribute('aria-busy');
      mount(list, h('div', { class: 'error-panel', role: 'alert' },
        h('p', {}, e.message),
        h('button', { class: 'btn', type: 'button', onclick: () => { mount(list, h('p', { class: 'muted' }, 'Loading restaurants…')); load(); } }, 'Try again')));
    }
  };
  load();
  loadRecent(recent);
}

// The order history comes from GET /orders where the API has it; otherwise
// from the orders this browser placed.
async function loadRecent(box) {
  const session = currentSession();
  if (!session || !canOrder(session)) return;
  let orders;
  try {
    orders = (await api.orders(8)).orders;
  } catch {
    orders = recentOrders(session.sub);
  }
  if (!orders || !orders.length) return;
  mount(box, h('section', { class: 'recent', 'aria-labelledby': 'recent-h' },
    h('h2', { id: 'recent-h' }, 'Your recent orders'),
    h('ul', { class: 'recent-list', 'data-testid': 'recent-orders' }, orders.map((o) => h('li', {},
      h('a', { href: `#/orders/${encodeURIComponent(o.id)}` },
        h('span', { class: 'recent-name' }, o.restaurant_name || 'Order'),
        h('span', { class: `pill ${o.status === 'DELIVERED' ? 'pill-good' : BAD.has(o.status) ? 'pill-bad' : 'pill-busy'}` }, humanStatus(o.status)),
        h('span', { class: 'muted' }, new Date(o.created_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })),
        h('span', { class: 'recent-total' }, money(o.total_minor, o.currency))))))));
}

function card(r) {
  const hue = CUISINE_HUES[r.cuisine] ?? (hash(r.cuisine || r.name) % 360);
  const open = openNow(r);
  return h('a', {
    class: `card restaurant-card${open === false ? ' closed' : ''}`,
    href: `#/restaurants/${encodeURIComponent(r.id)}`,
    'data-testid': 'restaurant-card',
    'data-restaurant-id': r.id,
    style: `--hue:${hue}`,
  },
  h('div', { class: 'restaurant-art', 'aria-hidden': 'true' }, (r.name || '?').slice(0, 1)),
  h('div', { class: 'restaurant-body' },
    h('h2', {}, r.name, open === false ? h('span', { class: 'badge badge-closed' }, 'Closed now') : null),
    h('p', { class: 'tag' }, r.cuisine),
    h('p', { class: 'muted small' }, r.address),
    h('span', { class: 'link-arrow' }, 'View menu →')));
}

function hash(s) {
  let x = 0;
  for (const c of s) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return x;
}
