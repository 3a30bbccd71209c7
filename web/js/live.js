// The order's live socket: connects to the WebSocket API (config.json's webSocketUrl) with the ID token, subscribes
// to one order, and hands each frame about it to the page in order. Frames carry a per-order sequence number (seq);
// a frame at or below the highest one applied is stale (a redelivery, or overtaken in flight) and is dropped here.
// When the socket drops it reconnects with jittered exponential backoff; the page polls while it is down.
// asyncapi.yaml describes the frames.
import { getConfig } from './config.js';
import { token } from './auth.js';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;

/**
 * orderId: the order to watch. onFrame(frame): a subscribed, status or position frame, never stale.
 * onState(state): 'connecting' | 'live' (subscribed) | 'down' (no socket; reconnecting) | 'refused' (not ours)
 * | 'off' (no socket configured). Returns {close()}.
 */
export function watchOrder(orderId, { onFrame, onState }) {
  const url = getConfig().webSocketUrl;
  let ws = null;
  let closed = false;
  let attempt = 0;
  let retry = null;
  let lastSeq = 0;
  let state = '';
  const setState = (s) => {
    if (s !== state) {
      state = s;
      onState(s);
    }
  };

  const connect = () => {
    if (closed) return;
    const t = token();
    if (!url || !t) {
      setState(url ? 'down' : 'off');
      return;
    }
    setState('connecting');
    // The token goes in the query string: a browser cannot set headers on a WebSocket, and the subprotocol form
    // needs a server that selects a protocol, which not every emulator does.
    const sep = url.includes('?') ? '&' : '?';
    try {
      ws = new WebSocket(`${url}${sep}token=${encodeURIComponent(t)}`);
    } catch {
      scheduleRetry();
      return;
    }
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ action: 'subscribe', order_id: orderId }));
    });
    ws.addEventListener('message', (ev) => {
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!f || f.order_id !== orderId) return;
      if (f.type === 'error') {
        if (f.error && f.error.code === 'not_found') {
          // Not an order we may watch: polling shows why (404), reconnecting would not help.
          closed = true;
          setState('refused');
          ws.close();
        }
        return;
      }
      if (f.type === 'subscribed') {
        attempt = 0;
        lastSeq = Math.max(lastSeq, f.seq || 0);
        setState('live');
        onFrame(f);
        return;
      }
      if (typeof f.seq !== 'number' || f.seq <= lastSeq) return; // stale or reordered
      lastSeq = f.seq;
      onFrame(f);
    });
    ws.addEventListener('close', () => {
      ws = null;
      if (!closed) scheduleRetry();
    });
  };

  const scheduleRetry = () => {
    setState('down');
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt++;
    retry = setTimeout(connect, cap / 2 + Math.random() * (cap / 2)); // jittered, so many pages do not return at once
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      if (ws) ws.close();
    },
  };
}
