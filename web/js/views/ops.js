// The ops console (#/ops, Cognito group ops): dead-letter queues with each message's reason and a redrive button
// that asks first, orders waiting on the saga by status (oldest first), one order's timeline, and the sweeper's
// last reports. Everything is re-read every REFRESH_MS, so an operator can watch `make reliability` drain.
// Anyone else is told the page is for the ops team, and the app asks the API nothing.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { currentSession, isOps } from '../auth.js';
import { shortId } from '../format.js';

export const REFRESH_MS = 4000;

export function opsView(main, _params, query) {
  document.title = 'Ops console · Food Delivery';
  const session = currentSession();
  if (!isOps(session)) {
    mount(main, h('section', { class: 'card narrow', 'data-testid': 'ops-denied' },
      h('h1', {}, 'Ops console'),
      h('p', {}, session ? 'This page is for the ops team. Your account is not in the ops group.' : 'Sign in with an ops account to see this page.'),
      session ? h('a', { href: '#/' }, 'Go to the restaurants') : h('a', { href: '#/signin?next=%23%2Fops', class: 'btn btn-primary' }, 'Sign in')));
    return null;
  }

  const selected = query.get('order') || '';
  const status = h('p', { class: 'muted small', 'aria-live': 'polite', 'data-testid': 'ops-updated' }, 'Loading…');
  const dlqBox = h('div', { class: 'stack', 'data-testid': 'ops-dlqs' });
  const ordersBox = h('div', { class: 'stack', 'data-testid': 'ops-orders' });
  const timelineBox = h('div', { 'data-testid': 'ops-timeline' });
  const sweepsBox = h('div', { 'data-testid': 'ops-sweeps' });
  const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'ops-notice', hidden: true });
  const dialog = confirmDialog();

  mount(main, h('section', { class: 'ops' },
    h('div', { class: 'page-head' },
      h('h1', {}, 'Ops console'),
      h('p', { class: 'lead' }, 'Dead letters, orders waiting on the saga, and what the sweeper did.'),
      status),
    notice,
    h('section', { 'aria-labelledby': 'ops-dlq-h', class: 'card ops-panel' }, h('h2', { id: 'ops-dlq-h' }, 'Dead-letter queues'), dlqBox),
    h('section', { 'aria-labelledby': 'ops-orders-h', class: 'card ops-panel' }, h('h2', { id: 'ops-orders-h' }, 'Orders waiting on the saga'), ordersBox),
    selected ? h('section', { 'aria-labelledby': 'ops-tl-h', class: 'card ops-panel' },
      h('h2', { id: 'ops-tl-h' }, 'Timeline of order ', h('code', {}, selected)), timelineBox) : null,
    h('section', { 'aria-labelledby': 'ops-sweeps-h', class: 'card ops-panel' }, h('h2', { id: 'ops-sweeps-h' }, 'Sweeper'), sweepsBox),
    dialog.el));

  let stopped = false;
  let inFlight = Promise.resolve();
  let paused = false;

  const say = (text) => { notice.hidden = !text; notice.textContent = text || ''; };

  const redrive = async (queue, message) => {
    paused = true;
    try {
      const what = message
        ? `Send message ${shortId(message.message_id)} (${message.event_type}${message.order_id ? ` of order ${shortId(message.order_id)}` : ''}) back to the ${queue} queue?`
        : `Send every message of the ${queue} DLQ back to the ${queue} queue?`;
      if (!(await dialog.ask(what))) return;
      await inFlight; // a listing leases the messages for a moment: let it finish first
      const res = await api.redrive(queue, message ? message.message_id : undefined);
      say(res.moved.length
        ? `Redrove ${res.moved.length} message${res.moved.length === 1 ? '' : 's'} to the ${queue} queue.`
        : 'Nothing was moved: the message is no longer in the DLQ (already redriven?).');
    } catch (e) {
      say(`Redrive failed: ${e.message}`);
    } finally {
      paused = false;
      refresh();
    }
  };

  const refresh = () => {
    if (stopped) return inFlight;
    inFlight = Promise.all([
      api.opsDlqs().then((d) => drawDlqs(dlqBox, d.queues, redrive), (e) => failed(dlqBox, e)),
      api.opsOrders().then((d) => drawOrders(ordersBox, d.statuses), (e) => failed(ordersBox, e)),
      selected ? api.opsTimeline(selected).then((d) => drawTimeline(timelineBox, d.entries), (e) => failed(timelineBox, e)) : null,
      api.opsSweeps().then((d) => drawSweeps(sweepsBox, d.sweeps), (e) => failed(sweepsBox, e)),
    ]).then(() => { if (!stopped) status.textContent = `Updated ${new Date().toLocaleTimeString()} · every ${REFRESH_MS / 1000} s`; });
    return inFlight;
  };
  refresh();
  const timer = setInterval(() => { if (!paused) inFlight.then(refresh); }, REFRESH_MS);
  return () => { stopped = true; clearInterval(timer); dialog.close(); };
}

function failed(box, e) {
  mount(box, h('p', { class: 'error-panel', role: 'alert' }, e.message));
}

const age = (seconds) => (seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`);
const when = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');
const orderLink = (id) => h('a', { href: `#/ops?order=${encodeURIComponent(id)}`, 'data-testid': 'ops-order-link' }, h('code', {}, shortId(id)));

function drawDlqs(box, queues, redrive) {
  mount(box, queues.map((q) => h('div', { class: 'ops-queue', 'data-testid': 'ops-dlq', 'data-queue': q.name },
    h('div', { class: 'row ops-queue-head' },
      h('h3', {}, q.name),
      h('span', { class: `pill ${q.depth ? 'pill-bad' : 'pill-good'}`, 'data-testid': 'ops-dlq-depth' }, `${q.depth} waiting`),
      q.redrivable && q.messages.length
        ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'ops-redrive-all', onclick: () => redrive(q.name) }, `Redrive all (${q.messages.length})`)
        : null),
    q.messages.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'ops-table' },
        h('caption', { class: 'sr-only' }, `Messages in the ${q.name} DLQ`),
        // The reason second: on a phone the table scrolls sideways inside its box, and the reason is what the
        // operator needs first.
        h('thead', {}, h('tr', {}, ['Event', 'Reason', 'Order', 'Tries', 'Failed', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Action'))))),
        h('tbody', {}, q.messages.map((m) => h('tr', { 'data-testid': 'ops-dlq-message', 'data-message-id': m.message_id, 'data-order-id': m.order_id || '' },
          h('td', {}, m.event_type),
          h('td', { class: 'ops-reason', 'data-testid': 'ops-dlq-reason' }, m.reason),
          h('td', {}, m.order_id ? orderLink(m.order_id) : '–'),
          h('td', {}, String(m.receive_count)),
          h('td', {}, when(m.failed_at)),
          h('td', {}, q.redrivable
            ? h('button', { type: 'button', class: 'btn btn-small btn-primary', 'data-testid': 'ops-redrive', 'aria-label': `Redrive ${m.event_type} of order ${m.order_id || m.message_id}`, onclick: () => redrive(q.name, m) }, 'Redrive')
            : h('span', { class: 'muted small' }, 'not redrivable')))))))
      : h('p', { class: 'muted small' }, 'Empty.'))));
}

function drawOrders(box, statuses) {
  mount(box, statuses.map((s) => h('div', { class: 'ops-status', 'data-testid': 'ops-status', 'data-status': s.status },
    h('div', { class: 'row' },
      h('h3', {}, s.status),
      h('span', { class: `pill ${s.count ? 'pill-busy' : 'pill-good'}`, 'data-testid': 'ops-status-count' }, String(s.count)),
      s.count ? h('span', { class: 'muted small' }, `oldest ${age(s.oldest_age_seconds)}`) : null),
    s.orders.length
      ? h('ul', { class: 'ops-list' }, s.orders.map((o) => h('li', { 'data-testid': 'ops-waiting-order', 'data-order-id': o.id },
        orderLink(o.id), ' ', h('span', {}, o.restaurant_name || ''), ' ', h('span', { class: 'muted small' }, `waiting ${age(o.age_seconds)}`))))
      : null)));
}

function drawTimeline(box, entries) {
  mount(box, entries.length
    ? h('ol', { class: 'ops-timeline' }, entries.map((e) => h('li', { 'data-testid': 'ops-timeline-entry', 'data-kind': e.kind },
      h('span', { class: 'muted small' }, when(e.at)), ' ', h('span', { class: 'tag' }, e.kind), ' ',
      h('span', { class: 'muted small' }, e.source), ' ', h('span', {}, e.text))))
    : h('p', { class: 'muted' }, 'Nothing recorded yet.'));
}

function drawSweeps(box, sweeps) {
  mount(box, sweeps.length
    ? h('ul', { class: 'ops-list' }, sweeps.map((s) => h('li', { 'data-testid': 'ops-sweep' },
      h('span', { class: 'muted small' }, when(s.at)), ' ',
      `found ${s.found}, re-announced ${s.reannounced}, nothing owed ${s.nothing_owed}, gave up ${s.gave_up}, failed ${s.failed}${s.truncated ? ', truncated' : ''}`)))
    : h('p', { class: 'muted small' }, 'No sweep reported in the last 30 minutes.'));
}

/** A modal confirmation (<dialog>): ask(text) resolves true on Confirm, false on Cancel or Escape. */
function confirmDialog() {
  const text = h('p', { id: 'ops-confirm-text', 'data-testid': 'ops-confirm-text' });
  let resolve = null;
  const done = (v) => { if (resolve) { resolve(v); resolve = null; } if (el.open) el.close(); };
  const el = h('dialog', { class: 'card ops-dialog', 'aria-labelledby': 'ops-confirm-h', 'aria-describedby': 'ops-confirm-text', 'data-testid': 'ops-confirm' },
    h('h2', { id: 'ops-confirm-h' }, 'Redrive?'),
    text,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'ops-confirm-yes', onclick: () => done(true) }, 'Redrive'),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'ops-confirm-no', onclick: () => done(false) }, 'Cancel')));
  el.addEventListener('close', () => done(false));
  return {
    el,
    ask(question) {
      text.textContent = question;
      el.showModal();
      return new Promise((r) => { resolve = r; });
    },
    close: () => done(false),
  };
}
