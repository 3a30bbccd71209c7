// The customer's inbox (#/inbox): every notification across all their orders, newest first, a page at a time
// (GET /me/notifications with its cursor), unread ones marked, with the unread count of the whole inbox. "Mark all
// read" marks everything up to the newest one shown (POST /me/notifications/read {up_to}), so a message that
// arrives meanwhile stays unread; each unread one has its own "Mark read" ({ids}). An order's own page still shows
// just that order's messages (GET /orders/{id}/notifications).
import { h, mount, busy } from '../dom.js';
import { api } from '../api.js';
import { customersOnly } from './gate.js';

export const INBOX_PAGE = 20;

export function inboxView(main) {
  document.title = 'Inbox · Food Delivery';
  if (!customersOnly(main, 'Inbox', { signedOut: 'Sign in to see your messages.', other: 'The inbox is for customer accounts.', hash: '#/inbox' })) return;
  const list = h('ol', { class: 'inbox inbox-page', 'data-testid': 'inbox', 'aria-busy': 'true' });
  const count = h('p', { class: 'lead', role: 'status', 'data-testid': 'inbox-unread' }, 'Loading your messages…');
  const markAll = h('button', { type: 'button', class: 'btn', 'data-testid': 'inbox-mark-all', hidden: true }, 'Mark all read');
  const more = h('button', { type: 'button', class: 'btn', 'data-testid': 'inbox-more', hidden: true }, 'Show older messages');
  const error = h('p', { class: 'error-panel', role: 'alert', hidden: true });
  mount(main, h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Inbox'), count, h('div', { class: 'row' }, markAll)),
    error, list, more));

  let cursor = null;
  let newest = null; // sent_at of the newest message shown: "mark all read" goes up to it
  const showUnread = (n) => {
    count.textContent = n === 0 ? 'Nothing unread.' : `${n} unread message${n === 1 ? '' : 's'}.`;
    count.dataset.unread = String(n);
    markAll.hidden = n === 0 || !newest;
  };
  const failed = (e) => { error.hidden = false; error.textContent = e.message; };
  const markRead = (body, done) => api.markNotificationsRead(body).then((res) => { done(); showUnread(res.unread); }, failed);

  const item = (n) => {
    const li = h('li', { class: `note${n.read_at ? ' note-read' : ''}`, 'data-testid': 'inbox-item', 'data-event-id': n.event_id, 'data-read': n.read_at ? 'true' : 'false' });
    const button = n.read_at ? null : h('button', {
      type: 'button', class: 'btn btn-small', 'data-testid': 'inbox-mark-read', 'aria-label': `Mark read: ${n.subject}`,
      onclick: (ev) => busy(ev.currentTarget, 'Marking…', () => markRead({ ids: [n.event_id] }, () => shownRead(li))),
    }, 'Mark read');
    mount(li,
      h('div', { class: 'note-head' },
        h('strong', { class: 'note-subject' }, n.read_at ? null : h('span', { class: 'note-unread' }, h('span', { class: 'sr-only' }, 'Unread: ')), n.subject),
        h('time', { class: 'muted small', datetime: n.sent_at }, new Date(n.sent_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }))),
      h('p', { class: 'note-body' }, n.body),
      h('div', { class: 'row note-actions' },
        h('a', { href: `#/orders/${encodeURIComponent(n.order_id)}`, class: 'small' }, 'See the order'),
        button));
    return li;
  };

  const page = async () => {
    const res = await api.inbox(INBOX_PAGE, cursor);
    list.removeAttribute('aria-busy');
    if (!newest && res.notifications.length) newest = res.notifications[0].sent_at;
    for (const n of res.notifications) list.append(item(n));
    cursor = res.next_cursor || null;
    more.hidden = !cursor;
    if (!list.children.length) list.append(h('li', { class: 'muted empty' }, 'No messages yet. We will tell you when something happens to an order.'));
    showUnread(res.unread);
  };
  markAll.addEventListener('click', () => busy(markAll, 'Marking…', () => markRead({ up_to: newest }, () => {
    for (const li of list.querySelectorAll('[data-testid="inbox-item"][data-read="false"]')) shownRead(li);
  })));
  more.addEventListener('click', () => busy(more, 'Loading…', () => page().catch(failed)));
  page().catch((e) => { list.removeAttribute('aria-busy'); count.textContent = ''; failed(e); });
}

/** Shows a message as read: no unread mark, no button. */
function shownRead(li) {
  li.classList.add('note-read');
  li.dataset.read = 'true';
  li.querySelector('.note-unread')?.remove();
  li.querySelector('[data-testid="inbox-mark-read"]')?.remove();
}
