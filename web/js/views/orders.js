// Order history (#/orders): the customer's orders, newest first, a page at a time (GET /orders with its cursor),
// each with a link to the order and a Reorder button that fills the restaurant's basket with the same dishes and
// options and opens its menu, where the server prices them afresh.
import { h, mount, busy } from '../dom.js';
import { api } from '../api.js';
import { customersOnly } from './gate.js';
import { saveBasket } from '../store.js';
import { money, humanStatus } from '../format.js';

export const PAGE_SIZE = 10;
const BAD = new Set(['PAYMENT_FAILED', 'CANCELLED', 'REFUNDED']);

export function ordersView(main) {
  document.title = 'Your orders · Food Delivery';
  if (!customersOnly(main, 'Your orders', { signedOut: 'Sign in to see your orders.', other: 'Order history is for customer accounts.', hash: '#/orders' })) return;
  const list = h('ol', { class: 'history', 'data-testid': 'history', 'aria-busy': 'true' });
  const more = h('button', { type: 'button', class: 'btn', 'data-testid': 'history-more', hidden: true }, 'Show older orders');
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'history-status' }, 'Loading your orders…');
  mount(main, h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Your orders'), h('p', { class: 'lead' }, 'Newest first. Reorder fills the basket with the same dishes.')),
    status, list, more));

  let cursor = null;
  const page = async () => {
    const res = await api.ordersPage(PAGE_SIZE, cursor);
    list.removeAttribute('aria-busy');
    for (const o of res.orders) list.append(row(o));
    cursor = res.next_cursor || null;
    more.hidden = !cursor;
    const n = list.children.length;
    status.textContent = n ? `${n} order${n === 1 ? '' : 's'} shown${cursor ? '' : ', that is all of them'}.` : 'You have not ordered yet.';
  };
  more.addEventListener('click', () => busy(more, 'Loading…', () => page().catch((e) => { status.textContent = e.message; })));
  page().catch((e) => { list.removeAttribute('aria-busy'); status.textContent = e.message; status.setAttribute('role', 'alert'); });
}

function row(o) {
  const items = o.lines.map((l) => `${l.quantity}× ${l.name}`).join(', ');
  return h('li', { class: 'card history-item', 'data-testid': 'history-order', 'data-order-id': o.id },
    h('div', { class: 'row history-head' },
      h('a', { href: `#/orders/${encodeURIComponent(o.id)}`, class: 'recent-name' }, o.restaurant_name || 'Order'),
      h('span', { class: `pill ${o.status === 'DELIVERED' ? 'pill-good' : BAD.has(o.status) ? 'pill-bad' : 'pill-busy'}` }, humanStatus(o.status)),
      h('span', { class: 'muted small' }, new Date(o.created_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })),
      h('span', { class: 'recent-total' }, money(o.total_minor, o.currency))),
    h('p', { class: 'muted small' }, items),
    h('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': 'reorder', 'aria-label': `Reorder from ${o.restaurant_name || 'this restaurant'}: ${items}`,
      onclick: () => reorder(o),
    }, 'Reorder'));
}

/** The basket keeps one option list per dish: a dish ordered twice with different options takes the first's. */
function reorder(o) {
  const quantities = {};
  const options = {};
  for (const l of o.lines) {
    quantities[l.item_id] = (quantities[l.item_id] || 0) + l.quantity;
    if (!options[l.item_id]) options[l.item_id] = (l.options || []).map((c) => c.choice_id);
  }
  saveBasket(o.restaurant_id, { quantities, options });
  location.hash = `#/restaurants/${encodeURIComponent(o.restaurant_id)}`;
}
