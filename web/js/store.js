// What the app remembers between screens: the basket and delivery spot (per
// tab), the orders placed from this browser (the API has no order-history
// route yet), and the order the courier works on.

const basketKey = (restaurantId) => `fd.basket.${restaurantId}`;

/** The basket of one restaurant: {quantities: {itemId: n}, options: {itemId: [choiceId]}}. */
export function loadBasket(restaurantId) {
  try {
    const b = JSON.parse(sessionStorage.getItem(basketKey(restaurantId)) || '{}');
    return { quantities: b.quantities || {}, options: b.options || {} };
  } catch {
    return { quantities: {}, options: {} };
  }
}

export function saveBasket(restaurantId, basket) {
  const quantities = Object.fromEntries(Object.entries(basket.quantities || {}).filter(([, q]) => q > 0));
  if (Object.keys(quantities).length) {
    sessionStorage.setItem(basketKey(restaurantId), JSON.stringify({ quantities, options: basket.options || {} }));
  } else {
    sessionStorage.removeItem(basketKey(restaurantId));
  }
}

export function loadDelivery() {
  try {
    return JSON.parse(sessionStorage.getItem('fd.delivery') || 'null');
  } catch {
    return null;
  }
}

export function saveDelivery(d) {
  sessionStorage.setItem('fd.delivery', JSON.stringify(d));
}

const ordersKey = (sub) => `fd.orders.${sub}`;

export function recentOrders(sub) {
  try {
    return JSON.parse(localStorage.getItem(ordersKey(sub)) || '[]');
  } catch {
    return [];
  }
}

export function rememberOrder(sub, order) {
  const list = recentOrders(sub).filter((o) => o.id !== order.id);
  list.unshift({
    id: order.id,
    restaurant_name: order.restaurant_name,
    total_minor: order.total_minor,
    currency: order.currency,
    status: order.status,
    created_at: order.created_at,
  });
  localStorage.setItem(ordersKey(sub), JSON.stringify(list.slice(0, 8)));
}

// The order just placed, so its page renders the server's totals at once.
const placed = new Map();
export function cachePlacedOrder(order) {
  placed.set(order.id, order);
}
export function takePlacedOrder(id) {
  const o = placed.get(id);
  placed.delete(id);
  return o;
}

export function courierOrder(sub) {
  return localStorage.getItem(`fd.courier-order.${sub}`) || '';
}

export function saveCourierOrder(sub, orderId) {
  if (orderId) localStorage.setItem(`fd.courier-order.${sub}`, orderId);
  else localStorage.removeItem(`fd.courier-order.${sub}`);
}
