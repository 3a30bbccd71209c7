// An order as it happens: a status timeline, the server's receipt, the inbox and a map. Status changes and the
// courier's positions arrive over the live socket (../live.js); the page then reads the order and its inbox once
// per status change, and polls everything every cadence.fallbackPollEveryMs (config.json) only while the socket is
// down. The courier glides from one position to the next.
import { h, mount, showError, clearError, busy } from '../dom.js';
import { api } from '../api.js';
import { getConfig } from '../config.js';
import { watchOrder } from '../live.js';
import { takePlacedOrder, rememberOrder } from '../store.js';
import { currentSession } from '../auth.js';
import { renderMap } from '../map.js';
import { money, time, humanStatus, distanceMeters, km } from '../format.js';

const POLLS_AFTER_TERMINAL = 2; // late notifications (e.g. "Delivered") still arrive after the status changes
// After a status frame the page reads the order and its inbox once, a moment later: the notification of the change
// is written after the status. After a final status it reads them once more, later still, then closes the socket.
const DETAILS_AFTER_STATUS_MS = 1000;
const DETAILS_AFTER_TERMINAL_MS = 5000;
const GLIDE_MS = 1000; // how long the courier takes to move to a new position on the map

const STEPS = [
  { status: 'PLACED', title: 'Order placed', text: 'The restaurant has your order.' },
  { status: 'PAID', title: 'Payment confirmed', text: 'Your card was charged.' },
  { status: 'COURIER_ASSIGNED', title: 'Courier assigned', text: 'A courier is heading to the restaurant.' },
  { status: 'PICKED_UP', title: 'Picked up', text: 'Your food is on its way.' },
  { status: 'DELIVERED', title: 'Delivered', text: 'Enjoy your meal!' },
];
const FAILED = {
  PAYMENT_FAILED: 'Payment failed: you have not been charged.',
  CANCELLED: 'This order was cancelled.',
  REFUNDED: 'This order was cancelled and refunded.',
};
const CANCELLABLE = new Set(['PLACED', 'PAID', 'COURIER_ASSIGNED']);
const TERMINAL = new Set(['DELIVERED', 'PAYMENT_FAILED', 'CANCELLED', 'REFUNDED']);
const EVENT_STATUS = {
  PaymentConfirmed: 'PAID', CourierAssigned: 'COURIER_ASSIGNED', OrderPickedUp: 'PICKED_UP', OrderDelivered: 'DELIVERED',
  PaymentFailed: 'PAYMENT_FAILED', OrderCancelled: 'CANCELLED', OrderRefunded: 'REFUNDED',
};

export function orderView(main, [orderId]) {
  document.title = 'Your order · Food Delivery';
  const state = { order: takePlacedOrder(orderId) || null, notifications: [], tracking: null, trail: [], seenAt: {}, reached: -1, polls: 0, afterTerminal: 0, lastOk: null };

  const statusPill = h('span', { class: 'pill', 'data-testid': 'order-status', role: 'status' }, '…');
  const live = h('p', { class: 'live muted small', 'data-testid': 'live' });
  const cancelBox = h('div', { class: 'cancel-box' });
  const cancelError = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'cancel-error' });
  const banner = h('div', { class: 'banner', role: 'alert', hidden: true, 'data-testid': 'order-banner' });
  const warning = h('p', { class: 'warn small', role: 'status', hidden: true, 'data-testid': 'poll-warning' });
  const heading = h('h1', {}, 'Your order');
  const meta = h('p', { class: 'lead' }, 'Order ', h('code', { 'data-testid': 'order-id' }, orderId));
  const timeline = h('ol', { class: 'timeline', 'data-testid': 'timeline', 'aria-label': 'Order progress' });
  const mapBox = h('div', { class: 'map-box' });
  const courierLine = h('p', { class: 'courier-line' });
  const receipt = h('div', { 'data-testid': 'receipt' }, h('p', { class: 'muted' }, 'Loading…'));
  const inbox = h('ul', { class: 'inbox', 'data-testid': 'notifications', 'aria-live': 'polite' });

  const section = h('section', {},
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Restaurants')),
    h('div', { class: 'page-head order-head' }, h('div', {}, heading, meta), h('div', { class: 'order-status-box' }, statusPill, live, cancelBox)),
    banner, warning, cancelError,
    h('div', { class: 'order-layout' },
      h('div', { class: 'stack-lg' },
        h('section', { class: 'card', 'aria-labelledby': 'progress-h' }, h('h2', { id: 'progress-h' }, 'Progress'), timeline),
        h('section', { class: 'card', 'aria-labelledby': 'map-h' },
          h('h2', { id: 'map-h' }, 'Where is my food?'), mapBox,
          h('ul', { class: 'legend', 'aria-hidden': 'true' },
            h('li', {}, h('span', { class: 'key key-restaurant' }), 'Restaurant'),
            h('li', {}, h('span', { class: 'key key-destination' }), 'Delivery spot'),
            h('li', {}, h('span', { class: 'key key-courier' }), 'Courier')),
          courierLine)),
      h('div', { class: 'stack-lg' },
        h('section', { class: 'card', 'aria-labelledby': 'receipt-h' }, h('h2', { id: 'receipt-h' }, 'Receipt'), receipt),
        // This order's messages; the inbox across every order, with read marks, is #/inbox.
        h('section', { class: 'card', 'aria-labelledby': 'inbox-h' }, h('h2', { id: 'inbox-h' }, 'Messages about this order'), inbox,
          h('p', { class: 'small inbox-all' }, h('a', { href: '#/inbox', 'data-testid': 'order-inbox-link' }, 'All your messages'))))));
  mount(main, section);

  let timer = null;
  let stopped = false;
  let socket = null;
  let socketState = '';
  const pollMs = getConfig().cadence.fallbackPollEveryMs;
  // Polling runs only while the socket is not live; one timer at a time.
  const schedulePoll = (evenIfLive = false) => {
    if (stopped || timer || (socketState === 'live' && !evenIfLive)) return;
    timer = setTimeout(() => {
      timer = null;
      tick();
    }, pollMs);
  };

  const tick = async () => {
    const [o, n, t] = await Promise.allSettled([api.order(orderId), api.notifications(orderId), api.tracking(orderId)]);
    if (stopped || !section.isConnected) return;
    state.polls++;
    const failure = [o, n, t].find((r) => r.status === 'rejected');
    if (o.status === 'rejected' && (o.reason.status === 404 || o.reason.status === 401)) {
      stopped = true;
      if (o.reason.status === 401) {
        location.hash = `#/signin?next=${encodeURIComponent(`#/orders/${orderId}`)}`;
        return;
      }
      mount(section, h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Restaurants')),
        h('div', { class: 'error-panel', role: 'alert', 'data-testid': 'order-error' }, 'We cannot find this order. It may belong to another account.'));
      return;
    }
    // A poll that started before a cancel may answer with the older version; keep the newer.
    if (o.status === 'fulfilled' && (!state.order || !(o.value.version < state.order.version))) state.order = o.value;
    if (n.status === 'fulfilled') state.notifications = n.value;
    if (t.status === 'fulfilled') {
      state.tracking = t.value;
      const p = t.value.position;
      const last = state.trail[state.trail.length - 1];
      if (p && p.location && (!last || last.lat !== p.location.lat || last.lng !== p.location.lng)) {
        state.trail.push(p.location);
        glide(p.location);
      }
    }
    warning.hidden = !failure;
    warning.textContent = failure ? `Having trouble getting updates (${failure.reason.message}); retrying…` : '';
    if (!failure) state.lastOk = new Date();
    draw();

    const status = state.order && state.order.status;
    if (status && TERMINAL.has(status)) state.afterTerminal++;
    if (state.afterTerminal > POLLS_AFTER_TERMINAL) {
      finish();
      return;
    }
    // An order that is over changes no more: a couple of reads for late notifications, then the page stops.
    schedulePoll(state.afterTerminal > 0);
  };

  const finish = () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
    live.textContent = `Final · updated ${time(state.lastOk)}`;
    live.classList.remove('on');
  };

  // The order and its inbox, read once after a status frame (not the position: the socket brings it).
  let detailsTimer = null;
  const readDetails = (delay, then) => {
    clearTimeout(detailsTimer);
    detailsTimer = setTimeout(async () => {
      const [o, n] = await Promise.allSettled([api.order(orderId), api.notifications(orderId)]);
      if (stopped || !section.isConnected) return;
      if (o.status === 'fulfilled' && (!state.order || !(o.value.version < state.order.version))) state.order = o.value;
      if (n.status === 'fulfilled') state.notifications = n.value;
      if (o.status === 'fulfilled' && n.status === 'fulfilled') state.lastOk = new Date();
      draw();
      if (then) then();
    }, delay);
  };

  // Frames from the socket (never stale: live.js drops those).
  const applyStatus = (status) => {
    if (!state.order || state.order.status === status) return;
    state.order = { ...state.order, status };
    state.lastOk = new Date();
    draw();
    if (TERMINAL.has(status)) {
      readLastDetails();
    } else {
      readDetails(DETAILS_AFTER_STATUS_MS);
    }
  };
  // Once the order is over: its last messages (how it ended) arrive after the status, so read twice, then stop.
  const readLastDetails = () => readDetails(DETAILS_AFTER_STATUS_MS, () => readDetails(DETAILS_AFTER_TERMINAL_MS, finish));
  const applyPosition = (p) => {
    if (!p) return;
    const location = { lat: p.lat, lng: p.lng };
    state.tracking = { ...(state.tracking || {}), position: { location, recorded_at: p.recorded_at } };
    const last = state.trail[state.trail.length - 1];
    if (!last || last.lat !== location.lat || last.lng !== location.lng) state.trail.push(location);
    state.lastOk = new Date();
    glide(location);
  };
  // Moves the courier's marker from where it is drawn to `to` over GLIDE_MS, redrawing the map each frame.
  let glideFrame = null;
  const glide = (to) => {
    cancelAnimationFrame(glideFrame);
    const from = state.shown || to;
    const start = performance.now();
    const step = (now) => {
      const k = Math.min(1, (now - start) / GLIDE_MS);
      const e = k * (2 - k); // ease out
      state.shown = { lat: from.lat + (to.lat - from.lat) * e, lng: from.lng + (to.lng - from.lng) * e };
      draw();
      if (k < 1 && !stopped) glideFrame = requestAnimationFrame(step);
    };
    glideFrame = requestAnimationFrame(step);
  };
  const onSocketState = (st) => {
    socketState = st;
    live.dataset.socket = st;
    if (st === 'live') {
      clearTimeout(timer); // the socket brings the changes: no polling while it is up
      timer = null;
    } else {
      schedulePoll();
    }
    draw();
  };

  const draw = () => {
    const order = state.order;
    if (!order) return;
    const status = order.status;
    document.title = `${humanStatus(status)} · ${order.restaurant_name} · Food Delivery`;
    heading.textContent = `Your order from ${order.restaurant_name}`;
    mount(meta, 'Order ', h('code', { 'data-testid': 'order-id' }, order.id), ` · placed ${time(order.created_at)}`);
    statusPill.textContent = humanStatus(status);
    statusPill.dataset.status = status;
    statusPill.className = `pill pill-${FAILED[status] ? 'bad' : status === 'DELIVERED' ? 'good' : 'busy'}`;
    if (state.lastOk && !stopped) {
      live.textContent = socketState === 'live' ? `Live · updated ${time(state.lastOk)}`
        : `Reconnecting · checking every ${Math.round(pollMs / 1000)} s · updated ${time(state.lastOk)}`;
      live.classList.toggle('on', socketState === 'live');
    }
    banner.hidden = !FAILED[status];
    banner.textContent = FAILED[status] || '';
    drawCancel(status);

    // Timeline: a status reached once stays reached even if a later poll is stale.
    const now = new Date().toISOString();
    const idx = STEPS.findIndex((s) => s.status === status);
    if (idx > state.reached) state.reached = idx;
    if (status === 'PAYMENT_FAILED') state.reached = Math.max(state.reached, 0);
    state.seenAt.PLACED = order.created_at;
    for (const n of state.notifications) {
      const s = EVENT_STATUS[n.event_type];
      if (s && (!state.seenAt[s] || n.sent_at < state.seenAt[s])) state.seenAt[s] = n.sent_at;
      // A cancelled order still shows how far it got (the inbox says it was paid, say).
      const i = STEPS.findIndex((x) => x.status === s);
      if (i > state.reached) state.reached = i;
    }
    for (let i = 0; i <= state.reached; i++) {
      if (!state.seenAt[STEPS[i].status]) state.seenAt[STEPS[i].status] = now;
    }
    const steps = STEPS.map((s, i) => {
      const stateName = i < state.reached || (i === state.reached && TERMINAL.has(status)) ? 'done' : i === state.reached && !FAILED[status] ? 'current' : 'todo';
      return h('li', { class: `step step-${stateName}`, 'data-testid': 'timeline-step', 'data-status': s.status, 'data-state': stateName, 'aria-current': stateName === 'current' ? 'step' : null },
        h('span', { class: 'step-dot', 'aria-hidden': 'true' }, stateName === 'done' ? '✓' : String(i + 1)),
        h('div', { class: 'step-body' },
          h('span', { class: 'step-title' }, s.title),
          h('span', { class: 'step-text muted small' }, stateName === 'todo' ? '' : `${s.text} ${time(state.seenAt[s.status])}`)));
    });
    if (FAILED[status]) {
      steps.push(h('li', { class: 'step step-failed', 'data-testid': 'timeline-step', 'data-status': status, 'data-state': 'current', 'aria-current': 'step' },
        h('span', { class: 'step-dot', 'aria-hidden': 'true' }, '!'),
        h('div', { class: 'step-body' }, h('span', { class: 'step-title' }, humanStatus(status)), h('span', { class: 'step-text muted small' }, FAILED[status]))));
    }
    mount(timeline, steps);

    // Receipt: the server's prices and totals (they change only with a new version of the order).
    if (state.receiptVersion !== order.version) {
      state.receiptVersion = order.version;
      drawReceipt(order);
    }

    // Inbox, newest first; redrawn only when a message arrives, so only new ones animate.
    const inboxKey = state.notifications.map((n) => n.event_id).sort().join(',');
    if (state.inboxKey !== inboxKey) {
      const isFirst = state.inboxKey === undefined;
      const known = new Set((state.inboxKey || '').split(','));
      state.inboxKey = inboxKey;
      const list = state.notifications.slice().sort((a, b) => (a.sent_at < b.sent_at ? 1 : -1));
      mount(inbox, list.length
        ? list.map((n) => h('li', { class: `note${isFirst || known.has(n.event_id) ? '' : ' note-new'}`, 'data-testid': 'notification', 'data-event-type': n.event_type },
          h('div', { class: 'note-head' }, h('strong', { class: 'note-subject' }, n.subject), h('time', { class: 'muted small', datetime: n.sent_at }, time(n.sent_at))),
          h('p', { class: 'note-body' }, n.body)))
        : h('li', { class: 'muted empty' }, 'No messages yet. We will tell you when something happens.'));
    }

    // Map and courier.
    const courierName = order.courier_name || (state.tracking && state.tracking.courier_name) || '';
    const pos = state.tracking && state.tracking.position;
    const shown = pos ? state.shown || pos.location : null;
    const mapKey = JSON.stringify([order.pickup_location, order.delivery_location, state.trail, shown]);
    if (state.mapKey !== mapKey) {
      state.mapKey = mapKey;
      mount(mapBox, renderMap({
        restaurant: order.pickup_location,
        destination: order.delivery_location,
        courier: shown,
        trail: state.trail,
      }));
    }
    mount(courierLine, courierName
      ? [h('span', {}, 'Courier '), h('strong', { 'data-testid': 'courier-name' }, courierName),
        pos ? h('span', { class: 'muted' }, ` · last seen ${time(pos.recorded_at)}, ${km(distanceMeters(pos.location, order.delivery_location))} away`)
          : h('span', { class: 'muted' }, TERMINAL.has(status) ? '' : ' · waiting for their first position')]
      : h('span', { class: 'muted' }, FAILED[status] ? 'No courier was assigned.' : 'No courier yet: we assign the nearest free courier once payment is confirmed.'));

    const s = currentSession();
    if (s && state.remembered !== status) {
      state.remembered = status;
      rememberOrder(s.sub, order);
    }
  };

  // Cancelling: possible until the courier has the food; asks once before it acts.
  let confirming = false;
  let cancelling = false;
  let cancelMode = '';
  const drawCancel = (status) => {
    if (cancelling) return;
    const mode = !CANCELLABLE.has(status) ? '' : confirming ? 'confirm' : 'button';
    if (mode === cancelMode) return; // redrawn only when it changes, not on every poll
    cancelMode = mode;
    const again = (c) => () => {
      confirming = c;
      drawCancel(state.order.status);
    };
    if (!mode) {
      confirming = false;
      mount(cancelBox);
    } else if (mode === 'button') {
      mount(cancelBox, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'cancel-order', onclick: again(true) }, 'Cancel order'));
    } else {
      const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'confirm-cancel', onclick: () => cancel(yes) }, 'Yes, cancel');
      mount(cancelBox, h('div', { class: 'row confirm', role: 'group', 'aria-label': 'Cancel this order?' },
        h('span', { class: 'small' }, 'Cancel this order?'), yes,
        h('button', { type: 'button', class: 'btn btn-small', onclick: again(false) }, 'Keep it')));
      yes.focus();
    }
  };
  const cancel = async (button) => {
    clearError(cancelError, section);
    cancelling = true;
    try {
      state.order = await busy(button, 'Cancelling…', () => api.cancelOrder(orderId));
      confirming = false;
      // The socket's CANCELLED frame, if it comes after this answer, changes nothing (the status is already shown)
      // and so would read nothing: the "cancelled" message is read from here.
      if (TERMINAL.has(state.order.status)) readLastDetails();
    } catch (e) {
      showError(cancelError, e, section);
    } finally {
      cancelling = false;
    }
    draw();
  };

  const drawReceipt = (order) => {
    mount(receipt,
      h('ul', { class: 'receipt-lines' }, (order.lines || []).map((l) => h('li', {},
        h('span', { class: 'basket-qty' }, `${l.quantity} ×`),
        h('span', { class: 'basket-name' }, l.name,
          l.options && l.options.length ? h('span', { class: 'muted small' }, ` (${l.options.map((o) => o.name).join(', ')})`) : null,
          h('span', { class: 'muted small' }, ` @ ${money(l.unit_price_minor, order.currency)}`)),
        h('span', { class: 'basket-amount' }, money(l.line_total_minor, order.currency))))),
      h('dl', { class: 'totals' },
        h('dt', {}, 'Subtotal'), h('dd', { 'data-testid': 'order-subtotal' }, money(order.subtotal_minor, order.currency)),
        h('dt', {}, 'Delivery fee'), h('dd', { 'data-testid': 'order-fee' }, money(order.delivery_fee_minor, order.currency)),
        typeof order.tax_minor === 'number' && order.tax_minor > 0 ? [h('dt', {}, 'VAT'), h('dd', { 'data-testid': 'order-tax' }, money(order.tax_minor, order.currency))] : null,
        h('dt', { class: 'total' }, 'Total'), h('dd', { class: 'total', 'data-testid': 'order-total' }, money(order.total_minor, order.currency))),
      h('p', { class: 'help' }, 'Deliver to ', h('strong', {}, order.delivery_address || `${order.delivery_location.lat.toFixed(4)}, ${order.delivery_location.lng.toFixed(4)}`),
        ` · ${km(distanceMeters(order.pickup_location, order.delivery_location))} from the restaurant`));
  };

  draw();
  tick();
  socket = watchOrder(orderId, {
    onState: onSocketState,
    onFrame: (f) => {
      if (stopped) return;
      if (f.status) applyStatus(f.status);
      if (f.position) applyPosition(f.position);
    },
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(detailsTimer);
    cancelAnimationFrame(glideFrame);
    socket.close();
  };
}
