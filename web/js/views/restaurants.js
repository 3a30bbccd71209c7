// The home screen. A signed-in customer gets it from one request, GET /me/home (backend for frontend): the open
// restaurants nearest their last delivery spot, the order in progress with its courier's position, their recent
// orders and how many messages in their inbox (#/inbox) are unread. Anyone else (signed out, courier, ops) gets the public catalogue, GET /restaurants, also one request.
// #/restaurants is the whole catalogue, open or not.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { currentSession, canOrder } from '../auth.js';
import { money, humanStatus, openNow, distanceMeters, km } from '../format.js';

const CUISINE_HUES = { Italian: 8, Japanese: 345, German: 38, Mexican: 145 };
const BAD = new Set(['PAYMENT_FAILED', 'CANCELLED', 'REFUNDED']);

export function restaurantsView(main, _params, _query, { all = false } = {}) {
  const session = currentSession();
  const personal = !all && !!session && canOrder(session);
  document.title = `${all ? 'All restaurants' : 'Restaurants'} · Food Delivery`;
  const list = h('div', { class: 'grid restaurants', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading restaurants…'));
  const active = h('div');
  const recent = h('div');
  const unread = h('p', { class: 'home-unread' });
  const lead = h('p', { class: 'lead' }, 'Order from kitchens around central Berlin. Your courier is tracked live.');
  mount(main, h('section', {},
    active,
    h('div', { class: 'page-head' },
      h('h1', {}, all ? 'All restaurants' : 'Restaurants'),
      lead,
      personal ? unread : null,
      personal ? h('a', { href: '#/restaurants', class: 'small' }, 'See all restaurants, open or not') : null),
    list,
    recent));

  const failed = (e) => {
    list.removeAttribute('aria-busy');
    mount(list, h('div', { class: 'error-panel', role: 'alert' },
      h('p', {}, e.message),
      h('button', { class: 'btn', type: 'button', onclick: () => { mount(list, h('p', { class: 'muted' }, 'Loading restaurants…')); load(); } }, 'Try again')));
  };
  const load = async () => {
    try {
      if (personal) {
        const home = await api.home();
        list.removeAttribute('aria-busy');
        if (home.near) lead.textContent = 'Open now, nearest to where your last order went first.';
        mount(list, home.restaurants.length ? home.restaurants.map((r) => card(r, home.near)) : h('p', { class: 'muted' }, 'No restaurants are open right now.'));
        drawUnread(unread, home.unread_notifications);
        drawActive(active, home.active_order, home.courier_position);
        drawRecent(recent, home.recent_orders);
        return;
      }
      const restaurants = await api.restaurants();
      list.removeAttribute('aria-busy');
      if (!restaurants.length) return mount(list, h('p', { class: 'muted' }, 'No restaurants are open right now.'));
      mount(list, restaurants.map((r) => card(r, null)));
    } catch (e) {
      failed(e);
    }
  };
  load();
}

function drawUnread(box, n) {
  mount(box, h('a', { href: '#/inbox', class: `inbox-link${n ? ' has-unread' : ''}`, 'data-testid': 'home-unread', 'data-unread': String(n) },
    n ? h('span', { class: 'unread-badge', 'aria-hidden': 'true' }, String(n)) : null,
    n ? `${n} unread message${n === 1 ? '' : 's'} in your inbox` : 'Your inbox: nothing unread'));
}

function drawActive(box, order, position) {
  if (!order) return;
  const seen = position ? Math.max(0, Math.round((Date.now() - new Date(position.recorded_at).getTime()) / 1000)) : null;
  mount(box, h('section', { class: 'card active-order', 'aria-labelledby': 'active-h', 'data-testid': 'home-active-order', 'data-order-id': order.id },
    h('h2', { id: 'active-h' }, 'Your order in progress'),
    h('p', {},
      h('strong', {}, order.restaurant_name), ' · ',
      h('span', { class: 'pill pill-busy', 'data-testid': 'home-active-status' }, humanStatus(order.status)), ' · ',
      money(order.total_minor, order.currency)),
    order.courier_name
      ? h('p', { class: 'muted', 'data-testid': 'home-courier' },
        `${order.courier_name} is your courier`,
        position ? `, last seen ${km(distanceMeters(position.location, order.delivery_location))} from you ${seen < 90 ? `${seen} s` : `${Math.round(seen / 60)} min`} ago.` : '.')
      : null,
    h('a', { class: 'btn btn-primary', href: `#/orders/${encodeURIComponent(order.id)}` }, 'Follow your order')));
}

function drawRecent(box, orders) {
  if (!orders || !orders.length) return;
  mount(box, h('section', { class: 'recent', 'aria-labelledby': 'recent-h' },
    h('h2', { id: 'recent-h' }, 'Your recent orders'),
    h('ul', { class: 'recent-list', 'data-testid': 'recent-orders' }, orders.map((o) => h('li', {},
      h('a', { href: `#/orders/${encodeURIComponent(o.id)}` },
        h('span', { class: 'recent-name' }, o.restaurant_name || 'Order'),
        h('span', { class: `pill ${o.status === 'DELIVERED' ? 'pill-good' : BAD.has(o.status) ? 'pill-bad' : 'pill-busy'}` }, humanStatus(o.status)),
        h('span', { class: 'muted' }, new Date(o.created_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })),
        h('span', { class: 'recent-total' }, money(o.total_minor, o.currency)))))),
    h('a', { href: '#/orders', 'data-testid': 'all-orders' }, 'All your orders')));
}

function card(r, near) {
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
    h('p', { class: 'muted small' }, r.address, near ? ` · ${km(distanceMeters(near, r.location))}` : ''),
    h('span', { class: 'link-arrow' }, 'View menu →')));
}

function hash(s) {
  let x = 0;
  for (const c of s) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return x;
}
