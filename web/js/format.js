// Formatting and small geo helpers shared by the views.

/** money(1234) → "€12.34". Amounts are integer minor units (cents). */
export function money(minor, currency = 'EUR') {
  if (typeof minor !== 'number' || !Number.isFinite(minor)) return '–';
  const sign = minor < 0 ? '−' : '';
  const abs = Math.abs(Math.round(minor));
  const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  const symbol = currency === 'EUR' ? '€' : `${currency} `;
  return `${sign}${symbol}${units}.${cents}`;
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function shortId(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…` : id || '';
}

export function humanStatus(status) {
  return (status || '').toLowerCase().replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** Great-circle distance in metres (the server's formula). */
export function distanceMeters(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** The server's delivery fee rule, for the basket's estimate only. */
export function estimatedDeliveryFee(meters) {
  if (meters <= 2000) return 199;
  return 199 + 50 * Math.trunc((meters - 2000 + 999) / 1000);
}

/**
 * Whether a restaurant is open now by its opening_hours ({day: "mon", open:
 * "11:00", close: "22:00"}, close ≤ open runs past midnight) in its
 * time_zone; null when it publishes no hours.
 */
export function openNow(restaurant, now = new Date()) {
  const hours = restaurant.opening_hours;
  if (!Array.isArray(hours) || !hours.length) return null;
  let parts;
  try {
    parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: restaurant.time_zone || 'UTC', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(now).map((p) => [p.type, p.value]));
  } catch {
    return null;
  }
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const today = days.indexOf(parts.weekday.slice(0, 3).toLowerCase());
  const yesterday = days[(today + 6) % 7];
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const mins = (hhmm) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  return hours.some((w) => {
    const open = mins(w.open);
    const close = mins(w.close);
    if (Number.isNaN(open) || Number.isNaN(close)) return false;
    const overnight = close <= open;
    if (w.day === days[today]) return overnight ? minute >= open : minute >= open && minute < close;
    return w.day === yesterday && overnight && minute < close;
  });
}

export function km(meters) {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(1)} km`;
}

/** Delivery spots offered in the basket and the courier view (central Berlin, near the demo restaurants). */
export const PLACES = [
  { name: 'Alexanderplatz', lat: 52.5219, lng: 13.4132 },
  { name: 'Brandenburger Tor', lat: 52.5163, lng: 13.3777 },
  { name: 'Hackescher Markt', lat: 52.5225, lng: 13.4022 },
  { name: 'Mauerpark', lat: 52.5432, lng: 13.4025 },
  { name: 'Kottbusser Tor', lat: 52.4991, lng: 13.4180 },
  { name: 'Gendarmenmarkt', lat: 52.5137, lng: 13.3928 },
];
