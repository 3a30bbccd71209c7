// The food-delivery HTTP API. Every failure becomes an AppError carrying the
// API's message and, for validation errors, the field at fault.
import { getConfig } from './config.js';
import { token, signOut } from './auth.js';
import { AppError } from './errors.js';

async function call(path, { method = 'GET', body, auth = true, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (auth) {
    const t = token();
    if (!t) throw new AppError('Please sign in first.', { status: 401, code: 'unauthenticated' });
    h.Authorization = `Bearer ${t}`;
  }
  let res;
  try {
    res = await fetch(getConfig().apiBase + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new AppError(`Cannot reach the API (${e.message}).`, { code: 'network' });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.ok) return data;
  if (data && data.error) {
    throw new AppError(data.error.message || 'Request failed', { status: res.status, code: data.error.code, field: data.error.field || '' });
  }
  if (res.status === 401 && auth) {
    // The authorizer refused the token (expired or from another pool).
    signOut();
    throw new AppError('Your session has expired. Please sign in again.', { status: 401, code: 'unauthenticated' });
  }
  throw new AppError((data && data.message) || `Request failed (HTTP ${res.status})`, { status: res.status, code: `http_${res.status}` });
}

const id = (s) => encodeURIComponent(s);

export const api = {
  restaurants: () => call('/restaurants', { auth: false }).then((d) => d.restaurants || []),
  menu: (restaurantId) => call(`/restaurants/${id(restaurantId)}/menu`, { auth: false }),
  /** The server prices the order; the answer is the stored order with its totals. */
  placeOrder: (req, idempotencyKey) => call('/orders', { method: 'POST', body: req, headers: { 'Idempotency-Key': idempotencyKey } }),
  /** The customer's own orders, newest first ({orders, next_cursor}). */
  orders: (limit = 8) => call(`/orders?limit=${limit}`),
  /** One page of the history: {orders, next_cursor}; pass next_cursor back for the next page. */
  ordersPage: (limit, cursor) => call(`/orders?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  /** The home screen in one request: {near, restaurants, active_order, courier_position, recent_orders, unread_notifications}. */
  home: () => call('/me/home'),
  order: (orderId) => call(`/orders/${id(orderId)}`),
  cancelOrder: (orderId) => call(`/orders/${id(orderId)}/cancel`, { method: 'POST' }),
  /** What the customer was told about one order (its page). */
  notifications: (orderId) => call(`/orders/${id(orderId)}/notifications`).then((d) => d.notifications || []),
  /** The inbox across all the customer's orders, newest first: {notifications, unread, next_cursor}. */
  inbox: (limit, cursor) => call(`/me/notifications?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  /** Marks read by {ids} and/or {up_to}; the answer is {marked, unread}. */
  markNotificationsRead: (body) => call('/me/notifications/read', { method: 'POST', body }),
  tracking: (orderId) => call(`/orders/${id(orderId)}/tracking`),
  /** The signed-in courier: name, status, last position, order_id while one is assigned. */
  courier: () => call('/couriers/me'),
  reportLocation: (positions) => call('/couriers/me/location', { method: 'POST', body: { positions } }),
  /** The answer is the order as its courier sees it (pickup, drop-off, items_count, customer_first_name). */
  setOrderStatus: (orderId, status) => call(`/orders/${id(orderId)}/status`, { method: 'POST', body: { status } }),
  // The ops console (group ops): {statuses}, {entries}, {queues}, {queue, requested_by, moved}, {sweeps}.
  opsOrders: () => call('/ops/orders'),
  opsTimeline: (orderId) => call(`/ops/orders/${id(orderId)}/timeline`),
  opsDlqs: () => call('/ops/dlqs'),
  redrive: (queue, messageId) => call(`/ops/dlqs/${id(queue)}/redrive`, { method: 'POST', body: messageId ? { message_id: messageId } : {} }),
  opsSweeps: () => call('/ops/sweeps'),
};
