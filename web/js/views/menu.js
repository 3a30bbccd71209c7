// A restaurant's menu with quantities (and options, for dishes that have
// them), the basket (prices shown are an estimate: the server prices the
// order), the delivery spot, and placing the order.
import { h, mount, showError, clearError, busy } from '../dom.js';
import { api } from '../api.js';
import { currentSession, canOrder } from '../auth.js';
import { AppError } from '../errors.js';
import { loadBasket, saveBasket, loadDelivery, saveDelivery, rememberOrder, cachePlacedOrder } from '../store.js';
import { money, distanceMeters, estimatedDeliveryFee, km, openNow, PLACES } from '../format.js';

const MAX_QTY = 50;
const MAX_DELIVERY_METERS = 15000;

export function menuView(main, [restaurantId]) {
  document.title = 'Menu · Food Delivery';
  const section = h('section', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the menu…'));
  mount(main, section);

  api.menu(restaurantId).then((menu) => {
    section.removeAttribute('aria-busy');
    render(section, menu);
  }).catch((e) => {
    section.removeAttribute('aria-busy');
    mount(section,
      h('p', {}, h('a', { href: '#/' }, '← All restaurants')),
      h('div', { class: 'error-panel', role: 'alert' }, e.status === 404 ? 'This restaurant does not exist.' : e.message));
  });
}

function render(section, menu) {
  const r = menu.restaurant;
  const currency = menu.currency || 'EUR';
  document.title = `${r.name} · Food Delivery`;
  const saved = loadBasket(r.id);
  const quantities = saved.quantities || {};
  const options = saved.options || {}; // item id → chosen choice ids (one choice per dish in the basket)
  const session = currentSession();
  const open = openNow(r);
  const items = byCategory(menu.items);

  // --- menu list --------------------------------------------------------------------
  const rows = new Map();
  const menuList = h('ul', { class: 'menu-list', 'aria-label': `${r.name} menu` });
  let category = null;
  const headed = items.some((it) => it.category);
  for (const item of items) {
    if (headed && (item.category || 'Other') !== category) {
      category = item.category || 'Other';
      menuList.append(h('li', { class: 'menu-category' }, h('h2', {}, category))); // a list may hold only list items
    }
    const qty = h('output', { class: 'qty-value', 'data-testid': 'qty-value', 'aria-live': 'polite', 'aria-label': `Quantity of ${item.name}` }, '0');
    const dec = h('button', { type: 'button', class: 'qty-btn', 'aria-label': `Remove one ${item.name}`, 'data-testid': 'qty-dec', onclick: () => change(item.id, -1) }, '−');
    const inc = h('button', { type: 'button', class: 'qty-btn', 'aria-label': `Add one ${item.name}`, 'data-testid': 'qty-inc', onclick: () => change(item.id, +1) }, '+');
    const price = h('div', { class: 'menu-price' }, money(item.price_minor, currency));
    const li = h('li', { class: `menu-item${item.available ? '' : ' unavailable'}`, 'data-testid': 'menu-item', 'data-item-id': item.id },
      h('div', { class: 'menu-text' },
        h('h3', {}, item.name, item.available ? null : h('span', { class: 'badge' }, 'Sold out')),
        item.description ? h('p', { class: 'muted small' }, item.description) : null,
        item.available && item.option_groups && item.option_groups.length ? optionPicker(item) : null),
      price,
      h('div', { class: 'qty', role: 'group', 'aria-label': `${item.name} quantity` }, dec, qty, inc));
    if (!item.available) {
      dec.disabled = true;
      inc.disabled = true;
      delete quantities[item.id];
    }
    rows.set(item.id, { li, qty, dec, inc, item, price });
    menuList.append(li);
  }

  // Options: radio buttons for a pick-one group, checkboxes up to max for the others.
  function optionPicker(item) {
    if (!options[item.id]) {
      options[item.id] = [];
      for (const g of item.option_groups) {
        options[item.id].push(...g.choices.filter((c) => c.available !== false).slice(0, g.min || 0).map((c) => c.id));
      }
    }
    return h('div', { class: 'options' }, item.option_groups.map((g) => {
      const single = g.max === 1;
      const name = `opt-${item.id}-${g.id}`;
      return h('fieldset', { class: 'option-group', 'data-field': `options.${item.id}.${g.id}` },
        h('legend', { class: 'small' }, g.name, g.min ? '' : h('span', { class: 'muted' }, ' (optional)')),
        single && !g.min ? h('label', { class: 'choice' },
          h('input', { type: 'radio', name, value: '', checked: !g.choices.some((c) => options[item.id].includes(c.id)), onchange: () => pick(item, g, '', true) }), 'None') : null,
        g.choices.map((c) => h('label', { class: `choice${c.available === false ? ' muted' : ''}` },
          h('input', {
            type: single ? 'radio' : 'checkbox', name, value: c.id, disabled: c.available === false,
            checked: options[item.id].includes(c.id), 'data-testid': `option-${c.id}`,
            onchange: (ev) => pick(item, g, c.id, ev.target.checked, ev.target),
          }),
          c.name, c.price_minor ? h('span', { class: 'muted' }, ` +${money(c.price_minor, currency)}`) : null)));
    }));
  }

  function pick(item, group, choiceId, checked, input) {
    const groupIds = new Set(group.choices.map((c) => c.id));
    let chosen = options[item.id].filter((id) => (group.max === 1 ? !groupIds.has(id) : id !== choiceId));
    if (checked && choiceId) chosen.push(choiceId);
    const inGroup = chosen.filter((id) => groupIds.has(id)).length;
    if (group.max > 1 && inGroup > group.max) {
      input.checked = false;
      chosen = chosen.filter((id) => id !== choiceId);
    }
    options[item.id] = chosen;
    persist();
    update();
  }

  const unitPrice = (item) => item.price_minor + (item.option_groups || [])
    .flatMap((g) => g.choices).filter((c) => (options[item.id] || []).includes(c.id))
    .reduce((sum, c) => sum + (c.price_minor || 0), 0);
  const optionNames = (item) => (item.option_groups || [])
    .flatMap((g) => g.choices).filter((c) => (options[item.id] || []).includes(c.id)).map((c) => c.name);

  // --- basket -----------------------------------------------------------------------
  const lines = h('ul', { class: 'basket-lines', 'data-field': 'items' });
  const totals = h('dl', { class: 'totals' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'basket-error' });

  const savedSpot = loadDelivery();
  const nearest = PLACES.slice().sort((a, b) => distanceMeters(r.location, a) - distanceMeters(r.location, b))[0];
  const start = savedSpot && distanceMeters(r.location, savedSpot) <= MAX_DELIVERY_METERS ? savedSpot : { ...nearest, preset: nearest.name, address: `${nearest.name}, Berlin` };

  const preset = h('select', { id: 'preset', 'data-testid': 'location-preset' },
    PLACES.map((p) => h('option', { value: p.name, selected: p.name === start.preset }, p.name)),
    h('option', { value: '', selected: !start.preset }, 'Custom coordinates'));
  const lat = h('input', { id: 'lat', type: 'number', step: '0.0001', min: -90, max: 90, inputmode: 'decimal', value: String(start.lat), 'data-field': 'delivery_location.lat', 'data-testid': 'delivery-lat' });
  const lng = h('input', { id: 'lng', type: 'number', step: '0.0001', min: -180, max: 180, inputmode: 'decimal', value: String(start.lng), 'data-field': 'delivery_location.lng', 'data-testid': 'delivery-lng' });
  const address = h('input', { id: 'address', type: 'text', maxlength: 200, autocomplete: 'street-address', value: start.address || '', 'data-field': 'delivery_address', 'data-testid': 'delivery-address' });
  const distanceNote = h('p', { class: 'help', 'aria-live': 'polite' });

  preset.addEventListener('change', () => {
    const p = PLACES.find((x) => x.name === preset.value);
    if (p) {
      lat.value = String(p.lat);
      lng.value = String(p.lng);
      address.value = `${p.name}, Berlin`;
    }
    update();
  });
  for (const input of [lat, lng]) {
    input.addEventListener('input', () => {
      preset.value = '';
      update();
    });
  }
  address.addEventListener('input', persistDelivery);

  const placeBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'place-order' }, 'Place order');
  let action;
  if (!session) {
    action = h('a', { class: 'btn btn-primary btn-block', href: `#/signin?next=${encodeURIComponent(`#/restaurants/${r.id}`)}`, 'data-testid': 'signin-to-order' }, 'Sign in to order');
  } else if (!canOrder(session)) {
    action = h('p', { class: 'notice', 'data-testid': 'cannot-order' }, `“${session.username}” is a courier or ops account and cannot order food. Sign in as a customer to order.`);
  } else {
    action = placeBtn;
  }
  const form = h('form', { class: 'basket card', 'aria-labelledby': 'basket-h', 'data-testid': 'basket', novalidate: true },
    h('h2', { id: 'basket-h' }, 'Your basket'),
    lines,
    totals,
    // Outside the <dl>, which may hold only its terms and descriptions.
    h('p', { class: 'help estimate-note' }, 'An estimate: the restaurant prices your order, taxes included, when you place it.'),
    h('fieldset', { class: 'delivery' },
      h('legend', {}, 'Deliver to'),
      h('div', { class: 'field' }, h('label', { for: 'preset' }, 'Place'), preset),
      h('div', { class: 'field-row' },
        h('div', { class: 'field' }, h('label', { for: 'lat' }, 'Latitude'), lat),
        h('div', { class: 'field' }, h('label', { for: 'lng' }, 'Longitude'), lng)),
      h('div', { class: 'field' }, h('label', { for: 'address' }, 'Address or note for the courier'), address),
      distanceNote),
    error,
    action);

  // One Idempotency-Key per distinct request: a retry of the same basket (say,
  // after a lost answer) cannot place a second order; a changed basket is a new order.
  let keyFor = { body: '', key: '' };
  const idempotencyKey = (req) => {
    const body = JSON.stringify(req);
    if (keyFor.body !== body) keyFor = { body, key: newKey() };
    return keyFor.key;
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(error, form);
    const req = request();
    if (!req.items.length) return showError(error, new AppError('Add at least one dish to your basket.', { field: 'items' }), form);
    if (!Number.isFinite(req.delivery_location.lat) || !Number.isFinite(req.delivery_location.lng)) {
      return showError(error, new AppError('Enter the delivery coordinates.', { field: 'delivery_location' }), form);
    }
    try {
      const order = await busy(placeBtn, 'Placing order…', () => api.placeOrder(req, idempotencyKey(req)));
      const s = currentSession();
      if (s) rememberOrder(s.sub, order);
      cachePlacedOrder(order);
      saveBasket(r.id, {});
      location.hash = `#/orders/${encodeURIComponent(order.id)}`;
    } catch (e) {
      showError(error, e, form);
      if (e.status === 401) location.hash = `#/signin?next=${encodeURIComponent(`#/restaurants/${r.id}`)}`;
    }
  });

  mount(section,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← All restaurants')),
    h('div', { class: 'page-head' },
      h('h1', { 'data-testid': 'restaurant-name' }, r.name, open === false ? h('span', { class: 'badge badge-closed' }, 'Closed now') : null),
      h('p', { class: 'lead' }, `${r.cuisine} · ${r.address}`)),
    open === false ? h('p', { class: 'notice', role: 'status' }, `${r.name} is closed right now; orders are accepted during opening hours.`) : null,
    h('div', { class: 'menu-layout' },
      h('div', { class: 'card' }, menuList),
      h('div', { class: 'basket-col' }, form)));

  function change(itemId, delta) {
    const next = Math.max(0, Math.min(MAX_QTY, (quantities[itemId] || 0) + delta));
    if (next) quantities[itemId] = next;
    else delete quantities[itemId];
    persist();
    clearError(error, form);
    update();
  }

  function persist() {
    saveBasket(r.id, { quantities, options });
  }

  // The request lists basket lines in menu order; field errors such as
  // items[1].quantity point at the same index in the basket list.
  function basketItems() {
    return items.filter((it) => quantities[it.id] > 0).map((it) => ({ item: it, quantity: quantities[it.id] }));
  }

  function request() {
    return {
      restaurant_id: r.id,
      items: basketItems().map(({ item, quantity }) => (item.option_groups && item.option_groups.length
        ? { item_id: item.id, quantity, options: options[item.id] || [] }
        : { item_id: item.id, quantity })),
      delivery_location: { lat: parseFloat(lat.value), lng: parseFloat(lng.value) },
      delivery_address: address.value.trim(),
    };
  }

  function persistDelivery() {
    saveDelivery({ lat: parseFloat(lat.value), lng: parseFloat(lng.value), preset: preset.value, address: address.value });
  }

  function update() {
    for (const { li, qty, dec, item, price } of rows.values()) {
      const q = quantities[item.id] || 0;
      qty.textContent = String(q);
      if (item.available) dec.disabled = q === 0;
      li.classList.toggle('in-basket', q > 0);
      price.textContent = money(unitPrice(item), currency);
    }
    const chosen = basketItems();
    mount(lines, chosen.length
      ? chosen.map(({ item, quantity }, i) => {
        const extras = optionNames(item);
        return h('li', { 'data-testid': 'basket-line', 'data-item-id': item.id, 'data-field': `items[${i}].quantity` },
          h('span', { class: 'basket-qty' }, `${quantity} ×`),
          h('span', { class: 'basket-name', 'data-field': `items[${i}].item_id` }, item.name,
            extras.length ? h('span', { class: 'muted small', 'data-field': `items[${i}].options` }, ` (${extras.join(', ')})`) : null),
          h('span', { class: 'basket-amount' }, money(quantity * unitPrice(item), currency)));
      })
      : h('li', { class: 'muted empty' }, 'Your basket is empty. Add dishes with +.'));

    const subtotal = chosen.reduce((sum, { item, quantity }) => sum + unitPrice(item) * quantity, 0);
    const dest = { lat: parseFloat(lat.value), lng: parseFloat(lng.value) };
    const valid = Number.isFinite(dest.lat) && Number.isFinite(dest.lng);
    const meters = valid ? distanceMeters(r.location, dest) : NaN;
    const fee = valid ? estimatedDeliveryFee(meters) : NaN;
    mount(totals,
      h('dt', {}, 'Subtotal'), h('dd', { 'data-testid': 'basket-subtotal' }, money(subtotal, currency)),
      h('dt', {}, 'Delivery fee'), h('dd', {}, valid ? money(fee, currency) : '–'),
      h('dt', { class: 'total' }, 'Estimated total'), h('dd', { class: 'total', 'data-testid': 'basket-estimate' }, chosen.length && valid ? money(subtotal + fee, currency) : '–'));
    distanceNote.textContent = !valid ? 'Enter coordinates.'
      : meters > MAX_DELIVERY_METERS ? `${km(meters)} from the restaurant: we deliver up to 15 km.`
        : `${km(meters)} from the restaurant.`;
    distanceNote.classList.toggle('warn', valid && meters > MAX_DELIVERY_METERS);
    placeBtn.disabled = !chosen.length;
    persistDelivery();
  }
  update();
}

// Dishes grouped by category, categories in the order they first appear,
// dishes without one last; the server's order within a category.
function byCategory(items) {
  const groups = new Map();
  for (const it of items) {
    const key = it.category || '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(it);
  }
  const uncategorized = groups.get('') || [];
  groups.delete('');
  return [...[...groups.values()].flat(), ...uncategorized];
}

function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
