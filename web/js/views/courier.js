// The courier's screen: share the location, learn the assigned order, mark it
// picked up and delivered. While sharing, the screen records a fix every
// cadence.recordEveryMs and sends what it recorded as one batch every
// cadence.sendEveryMs, as a courier's phone app would (config.json's cadence,
// which scripts/webserve takes from shared/tracking/cadence).
import { h, mount, showError, clearError, busy } from '../dom.js';
import { api } from '../api.js';
import { getConfig } from '../config.js';
import { currentSession, isCourier } from '../auth.js';
import { AppError } from '../errors.js';
import { courierOrder, saveCourierOrder } from '../store.js';
import { renderMap } from '../map.js';
import { time, humanStatus, PLACES } from '../format.js';

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
  // The name customers are shown for this courier (GET /couriers/me, below).
  const nameBox = h('strong', { 'data-testid': 'courier-name' });

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

  const cadence = getConfig().cadence;
  if (!cadence || !(cadence.recordEveryMs > 0) || !(cadence.sendEveryMs > 0) || !(cadence.maxBatch > 0)) {
    throw new Error('config.json lacks the cadence (recordEveryMs, sendEveryMs, maxBatch)');
  }
  const sendBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'send-location' }, 'Send my location');
  const shareBtn = h('button', { type: 'button', class: 'btn', 'aria-pressed': 'false', 'data-testid': 'share-location' }, 'Share my location');
  const gpsBtn = h('button', { type: 'button', class: 'btn', hidden: !('geolocation' in navigator) }, 'Use device location');
  const queueInfo = h('p', { class: 'help', 'data-testid': 'location-queue', 'aria-live': 'polite' },
    `Sharing records your position every ${cadence.recordEveryMs / 1000} s and sends it every ${cadence.sendEveryMs / 1000} s.`);
  const checkBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'check-status' }, 'Check status');
  const pickedBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'picked-up', 'data-field': 'status' }, 'Picked up');
  const deliveredBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'delivered', 'data-field': 'status' }, 'Delivered');

  const section = h('section', {},
    h('div', { class: 'page-head' },
      h('h1', {}, 'Courier'),
      h('p', { class: 'lead' }, `Signed in as ${session.username} · courier id `, h('code', { 'data-testid': 'courier-sub' }, session.sub),
        ' · name ', nameBox)),
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
        h('div', { class: 'row' }, shareBtn, sendBtn, gpsBtn),
        queueInfo,
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

  // The tracking view (status and both ends of the trip) of an order the caller may track.
  const showStatus = (view) => {
    lastOrder = view;
    mount(statusBox,
      h('p', {}, 'Status ', h('span', { class: 'pill pill-busy', 'data-status': view.status }, humanStatus(view.status))));
    drawMap();
  };

  // The job as the API shows it to its courier: pickup, drop-off, how many items, the customer's first name.
  const showOrder = (job) => {
    lastOrder = job;
    mount(statusBox,
      h('p', {}, 'Status ', h('span', { class: `pill ${job.status === 'DELIVERED' ? 'pill-good' : 'pill-busy'}`, 'data-status': job.status }, humanStatus(job.status))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Pick up at'), h('dd', {}, job.restaurant_name),
        h('dt', {}, 'Deliver to'), h('dd', {}, [job.customer_first_name, job.delivery_address || `${job.delivery_location.lat.toFixed(4)}, ${job.delivery_location.lng.toFixed(4)}`].filter(Boolean).join(', ')),
        h('dt', {}, 'Items'), h('dd', { 'data-testid': 'job-items' }, String(job.items_count))));
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

  // The order's status from the tracking route, which answers only its courier (or ops): 404 otherwise.
  const check = async () => {
    const view = await api.tracking(requireOrder());
    knownStatus = view.status;
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

  // The fixes recorded and not yet accepted, oldest first. A phone that cannot send for a while keeps the newest
  // cadence.maxBatch, all that one request may carry.
  let pending = [];
  let sharing = null; // the timers while sharing
  let gpsWatch = null;
  const showQueue = () => {
    queueInfo.textContent = sharing
      ? `Sharing: a fix every ${cadence.recordEveryMs / 1000} s, sent every ${cadence.sendEveryMs / 1000} s · ${pending.length} waiting.`
      : `Sharing records your position every ${cadence.recordEveryMs / 1000} s and sends it every ${cadence.sendEveryMs / 1000} s.`;
  };
  const record = () => {
    const p = { lat: parseFloat(lat.value), lng: parseFloat(lng.value) };
    if (!Number.isFinite(p.lat)) throw new AppError('Enter a latitude.', { field: 'positions[0].lat' });
    if (!Number.isFinite(p.lng)) throw new AppError('Enter a longitude.', { field: 'positions[0].lng' });
    const at = new Date();
    // recorded_at must grow from one fix to the next; two fixes in the same millisecond would be refused.
    if (pending.length && at.getTime() <= Date.parse(pending[pending.length - 1].recorded_at)) return;
    pending.push({ lat: p.lat, lng: p.lng, recorded_at: at.toISOString() });
    if (pending.length > cadence.maxBatch) pending = pending.slice(-cadence.maxBatch);
    showQueue();
  };
  // flush sends the recorded fixes as one batch. A 400 is final for that batch (a fix too old, or too far from
  // the last one to be real): it is dropped and the error shown; other failures keep it for the next send.
  let flushing = null;
  const flush = () => {
    if (flushing) return flushing;
    if (!pending.length) return Promise.resolve(null);
    const batch = pending.slice();
    flushing = api.reportLocation(batch).then((courier) => {
      pending = pending.slice(batch.length);
      onCourier(courier, batch[batch.length - 1]);
      return courier;
    }, (e) => {
      if (e.status === 400) {
        pending = pending.slice(batch.length);
        // Every fix comes from the latitude and longitude above: point at them whichever fix was refused.
        if (e.field) e.field = e.field.replace(/^positions\[\d+\]/, 'positions[0]');
      }
      throw e;
    }).finally(() => {
      flushing = null;
      showQueue();
    });
    return flushing;
  };
  const onCourier = (courier, sent) => {
    lastSent = courier.location || { lat: sent.lat, lng: sent.lng };
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
    if (courier.order_id && !knownStatus) check().catch(() => {});
  };
  const stopSharing = () => {
    if (!sharing) return;
    clearTimeout(sharing.record.id);
    clearInterval(sharing.send);
    sharing = null;
    shareBtn.textContent = 'Share my location';
    shareBtn.setAttribute('aria-pressed', 'false');
    showQueue();
  };
  // Each fix is taken recordEveryMs after the one before it ran: setInterval would fire a late tick and then the next
  // on schedule, two fixes closer together than the cadence when the device is busy.
  const every = (fn, ms) => {
    const timer = { id: null };
    const tick = () => {
      fn();
      timer.id = setTimeout(tick, ms);
    };
    timer.id = setTimeout(tick, ms);
    return timer;
  };
  const background = (fn) => () => {
    try {
      const p = fn();
      if (p && p.catch) p.catch((e) => showError(error, e, section));
    } catch (e) {
      showError(error, e, section);
    }
  };
  shareBtn.addEventListener('click', () => {
    clearError(error, section);
    if (sharing) {
      stopSharing();
      return;
    }
    sharing = {
      record: every(background(record), cadence.recordEveryMs),
      send: setInterval(background(flush), cadence.sendEveryMs),
    };
    shareBtn.textContent = 'Stop sharing';
    shareBtn.setAttribute('aria-pressed', 'true');
    background(record)();
  });

  // "Send my location" records a fix now and sends what is waiting at once, without waiting for the next batch.
  const send = () => run(sendBtn, 'Sending…', async () => {
    record();
    await flush();
  });
  sendBtn.addEventListener('click', async () => {
    await send();
    syncButtons();
  });

  // The device's position keeps the fields current while it is followed; each recorded fix reads them.
  gpsBtn.addEventListener('click', () => {
    clearError(error, section);
    if (gpsWatch !== null) return;
    gpsWatch = navigator.geolocation.watchPosition(
      (pos) => {
        lat.value = pos.coords.latitude.toFixed(5);
        lng.value = pos.coords.longitude.toFixed(5);
        preset.value = '';
      },
      (e) => {
        navigator.geolocation.clearWatch(gpsWatch);
        gpsWatch = null;
        gpsBtn.textContent = 'Use device location';
        showError(error, new AppError(`Could not read the device location (${e.message}).`), section);
      },
      { timeout: 10000, enableHighAccuracy: true });
    gpsBtn.textContent = 'Following the device location';
  });

  // Start from where the API last saw the courier, so that sharing continues a plausible ride (a fix far from
  // the last one within seconds is refused as an impossible speed).
  api.courier().then((c) => {
    nameBox.textContent = c.name || '';
    if (!section.isConnected || !c.location || lat.dataset.touched) return;
    lat.value = String(c.location.lat);
    lng.value = String(c.location.lng);
    preset.value = '';
    lastSent = c.location;
    drawMap();
  }).catch(() => {});
  for (const el of [lat, lng, preset]) el.addEventListener('input', () => { lat.dataset.touched = '1'; });
  preset.addEventListener('change', () => { lat.dataset.touched = '1'; });

  drawMap();
  return () => {
    stopSharing();
    if (gpsWatch !== null) navigator.geolocation.clearWatch(gpsWatch);
  };
}
