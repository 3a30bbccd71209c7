// Tiny DOM helpers: h() builds elements, so views never assemble HTML strings
// (and never need to escape server data).

/**
 * h('button', {class: 'btn', onclick: fn, 'data-testid': 'x'}, 'Label', child...)
 * Attributes named on* become listeners; value/checked/disabled are set as
 * properties; null/false attributes are skipped; children may be strings,
 * nodes, arrays, or null.
 */
export function h(tag, attrs, ...children) {
  const el = tag === 'svg' || SVG_TAGS.has(tag)
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'style') {
      el.style.cssText = value; // CSSOM, which the Content-Security-Policy allows (a style attribute it would not)
    } else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'selected') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

const SVG_TAGS = new Set(['g', 'line', 'circle', 'rect', 'path', 'text', 'polyline', 'title', 'defs', 'pattern']);

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of el with children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Shows err in box (an element with role=alert) and marks the form controls
 * whose data-field names the API's error field (exactly, or as a prefix:
 * "delivery_location" marks delivery_location.lat and .lng).
 */
export function showError(box, err, scope = document) {
  clearError(box, scope);
  if (!err) return;
  box.hidden = false;
  box.textContent = err.message || String(err);
  if (err.field) {
    box.dataset.field = err.field;
    // Mark the controls for the field or inside it ("delivery_location" marks .lat and .lng);
    // failing that, the closest control containing it ("items[1].options[0]" marks "items[1].options").
    const controls = [...scope.querySelectorAll('[data-field]')];
    const inside = (f, parent) => f === parent || f.startsWith(`${parent}.`) || f.startsWith(`${parent}[`);
    let marked = controls.filter((el) => inside(el.dataset.field, err.field));
    if (!marked.length) {
      const around = controls.filter((el) => inside(err.field, el.dataset.field));
      const longest = Math.max(0, ...around.map((el) => el.dataset.field.length));
      marked = around.filter((el) => el.dataset.field.length === longest);
    }
    for (const el of marked) {
      el.setAttribute('aria-invalid', 'true');
      el.classList.add('invalid');
    }
    const first = scope.querySelector('.invalid');
    if (first && typeof first.focus === 'function') first.focus();
  }
}

export function clearError(box, scope = document) {
  box.hidden = true;
  box.textContent = '';
  delete box.dataset.field;
  for (const el of scope.querySelectorAll('.invalid')) {
    el.classList.remove('invalid');
    el.removeAttribute('aria-invalid');
  }
}

/** Disables button while fn runs and shows a busy label. */
export async function busy(button, label, fn) {
  const old = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = old;
  }
}
