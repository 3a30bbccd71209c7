// A tile-free map: restaurant, destination and courier plotted in lat/lng on
// an SVG (equirectangular, scaled by cos(latitude) so distances look right
// at city scale), with a scale bar.
import { h } from './dom.js';

const W = 640;
const H = 380;
const PAD = 48;

/**
 * points: {restaurant, destination, courier} (each {lat, lng} or null), trail: [{lat, lng}],
 * labels: marker names to override ({destination: 'Drop-off'}).
 * Returns an <svg> element.
 */
export function renderMap({ restaurant, destination, courier, trail = [], labels = {} }) {
  const label = { restaurant: 'Restaurant', destination: 'You', courier: 'Courier', ...labels };
  const all = [restaurant, destination, courier, ...trail].filter(Boolean);
  const svg = h('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'map',
    role: 'img',
    'aria-label': describe({ restaurant, destination, courier }),
    'data-testid': 'map',
  });
  svg.append(h('rect', { x: 0, y: 0, width: W, height: H, class: 'map-bg', rx: 12 }));
  if (!all.length) {
    svg.append(h('text', { x: W / 2, y: H / 2, class: 'map-empty', 'text-anchor': 'middle' }, 'No positions yet'));
    return svg;
  }

  const midLat = (Math.min(...all.map((p) => p.lat)) + Math.max(...all.map((p) => p.lat))) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const xs = all.map((p) => p.lng * k);
  const ys = all.map((p) => p.lat);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const minSpan = 0.006; // ≈ 650 m, so a single point is not a blown-up dot
  if (x1 - x0 < minSpan) [x0, x1] = [(x0 + x1) / 2 - minSpan / 2, (x0 + x1) / 2 + minSpan / 2];
  if (y1 - y0 < minSpan) [y0, y1] = [(y0 + y1) / 2 - minSpan / 2, (y0 + y1) / 2 + minSpan / 2];
  const scale = Math.min((W - 2 * PAD) / (x1 - x0), (H - 2 * PAD) / (y1 - y0));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const project = (p) => [W / 2 + (p.lng * k - cx) * scale, H / 2 - (p.lat - cy) * scale];

  // Background grid every ~250 m.
  const gridDeg = 250 / 111320;
  const grid = h('g', { class: 'map-grid' });
  for (let gx = Math.floor((cx - W / 2 / scale) / gridDeg) * gridDeg; gx < cx + W / 2 / scale; gx += gridDeg) {
    const x = W / 2 + (gx - cx) * scale;
    grid.append(h('line', { x1: x, y1: 0, x2: x, y2: H }));
  }
  for (let gy = Math.floor((cy - H / 2 / scale) / gridDeg) * gridDeg; gy < cy + H / 2 / scale; gy += gridDeg) {
    const y = H / 2 - (gy - cy) * scale;
    grid.append(h('line', { x1: 0, y1: y, x2: W, y2: y }));
  }
  svg.append(grid);

  if (restaurant && destination) {
    const [ax, ay] = project(restaurant);
    const [bx, by] = project(destination);
    svg.append(h('line', { x1: ax, y1: ay, x2: bx, y2: by, class: 'map-route' }));
  }
  if (trail.length > 1) {
    svg.append(h('polyline', { points: trail.map((p) => project(p).join(',')).join(' '), class: 'map-trail' }));
  }
  if (restaurant) svg.append(marker(project(restaurant), 'restaurant', label.restaurant));
  if (destination) svg.append(marker(project(destination), 'destination', label.destination));
  if (courier) svg.append(marker(project(courier), 'courier', label.courier));
  svg.append(scaleBar(scale));
  return svg;
}

function marker([x, y], kind, label) {
  const g = h('g', { class: `map-marker map-${kind}`, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`, 'data-testid': `map-${kind}` });
  if (kind === 'restaurant') {
    g.append(h('rect', { x: -9, y: -9, width: 18, height: 18, rx: 4 }));
  } else if (kind === 'destination') {
    g.append(h('path', { d: 'M0 0 C -10 -12 -10 -26 0 -26 C 10 -26 10 -12 0 0 Z' }), h('circle', { cx: 0, cy: -17, r: 3.5, class: 'map-pin-dot' }));
  } else {
    g.append(h('circle', { r: 16, class: 'map-pulse' }), h('circle', { r: 8 }));
  }
  // Labels sit right of the marker, or left of it near the right edge.
  const left = x > W - 110;
  g.append(h('text', { x: left ? -14 : 14, y: kind === 'destination' ? -14 : 5, class: 'map-label', 'text-anchor': left ? 'end' : 'start' }, label));
  g.append(h('title', {}, label));
  return g;
}

function scaleBar(scale) {
  const metresPerPx = 111320 / scale;
  const target = (W / 5) * metresPerPx;
  const nice = [50, 100, 200, 250, 500, 1000, 2000, 5000, 10000].find((m) => m >= target * 0.6) || 10000;
  const px = nice / metresPerPx;
  const x = 16;
  const y = H - 18;
  return h('g', { class: 'map-scale' },
    h('line', { x1: x, y1: y, x2: x + px, y2: y }),
    h('line', { x1: x, y1: y - 5, x2: x, y2: y + 1 }),
    h('line', { x1: x + px, y1: y - 5, x2: x + px, y2: y + 1 }),
    h('text', { x: x + px + 8, y: y + 4 }, nice >= 1000 ? `${nice / 1000} km` : `${nice} m`));
}

function describe({ restaurant, destination, courier }) {
  const fmt = (p) => `${p.lat.toFixed(4)}, ${p.lng.toFixed(4)}`;
  const parts = [];
  if (restaurant) parts.push(`restaurant at ${fmt(restaurant)}`);
  if (destination) parts.push(`delivery to ${fmt(destination)}`);
  parts.push(courier ? `courier at ${fmt(courier)}` : 'courier position not known yet');
  return `Map: ${parts.join('; ')}`;
}
