// The courier's screen: report the location, learn the assigned order, mark it
// picked up and delivered.
import { h, mount, showError, clearError, busy } from '../dom.js';
import { api } from '../api.js';
import { currentSession, isCourier } from '../auth.js';
import { AppError } from '../errors.js';
import { courierOrder, saveCourierOrder } from '../store.js';
import { renderMap } from '../map.js';
import { money, time, humanStatus, PLACES } from '../format.js';

export function courierView(main, _params, query) {
  document.title = 'Courier · Food Delivery';
  const session = currentSession();
  if (!session) {
    mount(main, h('section', { class: 'card narrow' },
      h('h1', {}, 'Courier'),
      h('p', {}, 'Sign in with your courier account to see your deliveries.'),
      h('a', { class: 'btn btn-primary', href: `#/signin?next=${encodeURIComponent('#/courier')}` }, 'Sign in')));
    return;
  }
  if (!isCourier(session)) {
    mount(main, h('section', { class: 'card narrow' },
      h('h1', {}, 'Courier'),
      h('p', { role: 'alert' }, `The account “${session.username}” is not in the courier group, so it cannot take deliveries.`),
      h('a', { class: 'btn', href: '#/' }, 'Back to the restaurants')));
    return;
  }

  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'courier-error' });
  const message = h('p', { class: 'notice success', role: 'status', hidden: true, 'data-testid': 'courier-message' });
  const orderInput = h('input', { id: 'order-id', name: 'order', autocomplete: 'off', spellcheck: 'false', value: query.get('order') || courierOrder(session.sub), 'data-field': 'order_id', 'data-testid': 'courier-order-id', 'aria-describedby': 'order-help' });
  const statusBox = h('div', { class: 'courier-order', 'data-testid': 'courier-order-status', 'aria-live': 'polite' });
  const assigned = h('p', { class: 'assigned', hidden: true, 'data-testid': 'assigned-order' });
  const mapBox = h('div', { class: 'map-box' });

  const start = PLACES[0];
  const preset = h('select', { id: 'c-preset', 'data-testid': 'courier-preset' },
    PLACES.map((p) => h('option', { value: p.name }, p.name)), h('option', { value: '' }, 'Custom coordinates'));
  const lat = h('input', { id: 'c-lat', type: 'number', step: '0.0001', inputmode: 'decimal', value: String(start.lat), 'data-field': 'positions[0].lat', 'data-testid': 'courier-lat' });
  const lng = h('input', { id: 'c-lng', type: 'number', step: '0.0001', inputmode: 'decimal', value: String(start.lng), 'data-field': 'positions[0].lng', 'data-testid': 'courier-lng' });
  preset.addEventListener('change', () => {
    const p = PLACES.find((x) => x.name === preset.value);
    if (p) {
      lat.value = String(p.lat);
      lng.value = String(p.lng);
    }
  });
  for (const input of [lat, lng]) input.addEventListener('input', () => { preset.value = ''; });

  const sendBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'send-location' }, 'Send my location');
  const gpsBtn = h('button', { type: 'button', class: 'btn', hidden: !('geolocation' in navigator) }, 'Use device location');
  const checkBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'check-status' }, 'Check status');
  const pickedBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'picked-up', 'data-field': 'status' }, 'Picked up');
  const deliveredBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'delivered', 'data-field': 'status' }, 'Delivered');

  const section = h('section', {},
    h('div', { class: 'page-head' },
      h('h1', {}, 'Courier'),
      h('p', { class: 'lead' }, `Signed in as ${session.username} · courier id `, h('code', { 'data-testid': 'courier-sub' }, session.sub))),
    error, message,
    h('div', { class: 'courier-layout' },
      h('section', { class: 'card', 'aria-labelledby': 'delivery-h' },
        h('h2', { id: 'delivery-h' }, 'Your delivery'),
        h('div', { class: 'field' }, h('label', { for: 'order-id' }, 'Order id'), orderInput),
        h('p', { class: 'help', id: 'order-help' }, 'Enter the order id from dispatch, or send your location: when an order is assigned to you the answer names it.'),
        assigned,
        h('div', { class: 'row' }, checkBtn),
        statusBox,
        h('div', { class: 'row actions' }, pickedBtn, deliveredBtn)),
      h('section', { class: 'card', 'aria-labelledby': 'loc-h' },
        h('h2', { id: 'loc-h' }, 'Location'),
        h('div', { class: 'field' }, h('label', { for: 'c-preset' }, 'Place'), preset),
        h('div', { class: 'field-row' },
          h('div', { class: 'field' }, h('label', { for: 'c-lat' }, 'Latitude'), lat),
          h('div', { class: 'field' }, h('label', { for: 'c-lng' }, 'Longitude'), lng)),
        h('div', { class: 'row' }, sendBtn, gpsBtn),
        mapBox)));
  mount(main, section);

  let lastSent = null;
  let lastOrder = null;

  const orderId = () => orderInput.value.trim();
  const requireOrder = () => {
    if (!orderId()) throw new AppError('Enter the order id first.', { field: 'order_id' });
    saveCourierOrder(session.sub, orderId());
    return orderId();
  };
  const ok = (text) => {
    message.hidden = false;
    message.textContent = text;
  };
  const run = async (button, label, fn) => {
    clearError(error, section);
    message.hidden = true;
    try {
      await busy(button, label, fn);
    } catch (e) {
      showError(error, e, section);
    }
  };

  const showStatus = (view) => {
    mount(statusBox,
      h('p', {}, 'Status ', h('span', { class: 'pill pill-busy', 'data-status': view.status }, humanStatus(view.status))),
      view.courier_id && view.courier_id !== session.sub ? h('p', { class: 'warn small' }, 'This order is assigned to another courier.') : null);
  };

  const showOrder = (order) => {
    lastOrder = order;
    mount(statusBox,
      h('p', {}, 'Status ', h('span', { class: `pill ${order.status === 'DELIVERED' ? 'pill-good' : 'pill-busy'}`, 'data-status': order.status }, humanStatus(order.status))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Pick up at'), h('dd', {}, order.restaurant_name),
        h('dt', {}, 'Deliver to'), h('dd', {}, order.delivery_address || `${order.delivery_location.lat.toFixed(4)}, ${order.delivery_location.lng.toFixed(4)}`),
        h('dt', {}, 'Items'), h('dd', {}, (order.lines || []).map((l) => `${l.quantity} × ${l.name}`).join(', ')),
        h('dt', {}, 'Order total'), h('dd', {}, money(order.total_minor, order.currency))));
    drawMap();
  };

  const drawMap = () => {
    mount(mapBox, renderMap({
      restaurant: lastOrder ? lastOrder.pickup_location : null,
      destination: lastOrder ? lastOrder.delivery_location : null,
      courier: lastSent,
      labels: { destination: 'Drop-off', courier: 'You' },
    }));
  };

  // The order itself where the API lets its courier read it (pickup, drop-off, items);
  // otherwise its status from the tracking route.
  const check = async () => {
    const id = requireOrder();
    let order = null;
    try {
      order = await api.order(id);
    } catch (e) {
      if (e.status !== 403 && e.status !== 404) throw e;
    }
    if (order) {
      knownStatus = order.courier_id === session.sub ? order.status : '';
      showOrder(order);
      return order.status;
    }
    const view = await api.tracking(id);
    knownStatus = view.courier_id === session.sub ? view.status : '';
    showStatus(view);
    return view.status;
  };
  checkBtn.addEventListener('click', async () => {
    await run(checkBtn, 'Checking…', async () => {
      ok(`Order ${humanStatus(await check()).toLowerCase()}.`);
    });
    syncButtons();
  });

  // Offer only the next step once the order's status is known.
  let knownStatus = '';
  const syncButtons = () => {
    pickedBtn.disabled = knownStatus !== '' && knownStatus !== 'COURIER_ASSIGNED';
    deliveredBtn.disabled = knownStatus !== '' && knownStatus !== 'PICKED_UP';
  };
  orderInput.addEventListener('input', () => {
    knownStatus = '';
    lastOrder = null;
    mount(statusBox);
    syncButtons();
    drawMap();
  });

  const setStatus = async (button, status, label) => {
    await run(button, label, async () => {
      const order = await api.setOrderStatus(requireOrder(), status).catch((e) => {
        // The API answers 404 alike for an unknown order and for one this courier may not touch (another
        // courier's, or one that no longer needs it), so that nobody learns which ids exist.
        if (e.status === 404) e.message = 'You may not update this order: it is not one you are carrying now.';
        throw e;
      });
      knownStatus = order.status;
      showOrder(order);
      ok(status === 'PICKED_UP' ? 'Marked as picked up. The customer has been told.' : 'Marked as delivered. Thank you!');
    });
    syncButtons();
  };
  pickedBtn.addEventListener('click', () => setStatus(pickedBtn, 'PICKED_UP', 'Saving…'));
  deliveredBtn.addEventListener('click', () => setStatus(deliveredBtn, 'DELIVERED', 'Saving…'));

  sendBtn.addEventListener('click', async () => {
    await send();
    syncButtons();
  });
  const send = () => run(sendBtn, 'Sending…', async () => {
    const p = { lat: parseFloat(lat.value), lng: parseFloat(lng.value) };
    if (!Number.isFinite(p.lat)) throw new AppError('Enter a latitude.', { field: 'positions[0].lat' });
    if (!Number.isFinite(p.lng)) throw new AppError('Enter a longitude.', { field: 'positions[0].lng' });
    const courier = await api.reportLocation([{ lat: p.lat, lng: p.lng, recorded_at: new Date().toISOString() }]);
    lastSent = courier.location || p;
    drawMap();
    if (courier.order_id) {
      assigned.hidden = false;
      mount(assigned, 'Assigned order: ', h('code', {}, courier.order_id));
      if (orderId() !== courier.order_id) {
        orderInput.value = courier.order_id;
        knownStatus = '';
        lastOrder = null;
        saveCourierOrder(session.sub, courier.order_id);
      }
    } else {
      assigned.hidden = true;
    }
    ok(`Location sent at ${time(new Date().toISOString())}. You are ${humanStatus(courier.status).toLowerCase()}${courier.order_id ? '' : ' with no order assigned'}.`);
    if (courier.order_id && !knownStatus) await check().catch(() => {});
  });

  gpsBtn.addEventListener('click', () => {
    clearError(error, section);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        lat.value = pos.coords.latitude.toFixed(5);
        lng.value = pos.coords.longitude.toFixed(5);
        preset.value = '';
      },
      (e) => showError(error, new AppError(`Could not read the device location (${e.message}).`), section),
      { timeout: 10000 });
  });

  drawMap();
}
