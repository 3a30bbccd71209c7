// The customers-only pages (the order history, the inbox): anyone else is told why instead, and the API is not called.
import { h, mount } from '../dom.js';
import { currentSession, canOrder } from '../auth.js';

/**
 * Whether the signed-in user is a customer. If not, main says so (signedOut to a visitor, with a sign-in link that
 * comes back to hash; other to a courier or an operator) and the view draws nothing more.
 */
export function customersOnly(main, title, { signedOut, other, hash }) {
  const session = currentSession();
  if (session && canOrder(session)) return true;
  mount(main, h('section', { class: 'card narrow' }, h('h1', {}, title),
    h('p', {}, session ? other : signedOut),
    session ? null : h('a', { class: 'btn btn-primary', href: `#/signin?next=${encodeURIComponent(hash)}` }, 'Sign in')));
  return false;
}
