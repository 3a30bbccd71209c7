// Sign in (Cognito SRP, USER_SRP_AUTH: auth.js) and create an account (SignUp, then
// ConfirmSignUp with the code Cognito sends).
import { h, mount, showError, clearError, busy } from '../dom.js';
import { signIn, signUp, confirmSignUp, isCourier } from '../auth.js';
import { getConfig } from '../config.js';

export function signinView(main, _params, query) {
  document.title = 'Sign in · Food Delivery';
  const next = query.get('next') || '';
  const section = h('section', { class: 'auth-page' });
  mount(main, section);

  const onEmulator = /localhost|127\.0\.0\.1/.test(getConfig().cognitoEndpoint);
  let mode = query.get('mode') === 'signup' ? 'signup' : 'signin';

  const tabs = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Sign in or create an account' });
  const body = h('div');
  section.append(h('div', { class: 'card auth-card' }, h('h1', {}, 'Welcome'), tabs, body));
  if (onEmulator) {
    section.append(h('aside', { class: 'card hint', 'aria-label': 'Demo logins' },
      h('h2', {}, 'Demo logins'),
      h('p', {}, 'Customer ', h('code', {}, 'demo-customer'), '; couriers ', h('code', {}, 'courier-anna'), ', ',
        h('code', {}, 'courier-ben'), ', ', h('code', {}, 'courier-chloe'), ', ', h('code', {}, 'courier-dev'), '.'),
      h('p', {}, 'Password for all: ', h('code', {}, 'demo-password-1'))));
  }

  const draw = () => {
    mount(tabs,
      h('button', { type: 'button', 'aria-pressed': String(mode === 'signin'), onclick: () => { mode = 'signin'; draw(); } }, 'Sign in'),
      h('button', { type: 'button', 'aria-pressed': String(mode === 'signup'), 'data-testid': 'signup-tab', onclick: () => { mode = 'signup'; draw(); } }, 'Create account'));
    mount(body, mode === 'signin' ? signinForm(next) : signupForm(() => { mode = 'signin'; draw(); }));
    const first = body.querySelector('input');
    if (first) first.focus();
  };
  draw();
}

function field(label, attrs) {
  const id = `f-${attrs.name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, ...attrs }));
}

function signinForm(next) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'signin-error' });
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'signin-submit' }, 'Sign in');
  const form = h('form', { class: 'stack', novalidate: true },
    field('Username', { name: 'username', autocomplete: 'username', required: true, 'data-field': 'username', 'data-testid': 'signin-username' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-field': 'password', 'data-testid': 'signin-password' }),
    error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(error, form);
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username) return showError(error, { message: 'Enter your username.', field: 'username' }, form);
    if (!password) return showError(error, { message: 'Enter your password.', field: 'password' }, form);
    try {
      const session = await busy(submit, 'Signing in…', () => signIn(username, password));
      const home = isCourier(session) ? '#/courier' : '#/';
      location.hash = next && next !== '#/' ? next : home;
    } catch (e) {
      showError(error, e, form);
    }
  });
  return form;
}

function signupForm(backToSignIn) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'signup-error' });
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit' }, 'Create account');
  const wrap = h('div');
  const form = h('form', { class: 'stack', novalidate: true },
    field('Username', { name: 'username', autocomplete: 'username', required: true, 'data-field': 'username' }),
    field('Email (optional)', { name: 'email', type: 'email', autocomplete: 'email', 'data-field': 'email' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, 'data-field': 'password', 'aria-describedby': 'pw-help' }),
    h('p', { class: 'help', id: 'pw-help' }, 'At least 8 characters, with a lowercase letter and a digit.'),
    error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(error, form);
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username) return showError(error, { message: 'Choose a username.', field: 'username' }, form);
    if (password.length < 8) return showError(error, { message: 'The password needs at least 8 characters.', field: 'password' }, form);
    try {
      const out = await busy(submit, 'Creating…', () => signUp(username, password, form.email.value.trim()));
      mount(wrap, out.UserConfirmed ? confirmedNotice(backToSignIn) : confirmPanel(username, out, backToSignIn));
    } catch (e) {
      showError(error, e, form);
    }
  });
  mount(wrap, form);
  return wrap;
}

function confirmedNotice(backToSignIn) {
  return h('div', { class: 'notice success', role: 'status' },
    h('p', {}, 'Your account is ready.'),
    h('button', { class: 'btn btn-primary', type: 'button', onclick: backToSignIn }, 'Sign in'));
}

function confirmPanel(username, out, backToSignIn) {
  const where = out.CodeDeliveryDetails && out.CodeDeliveryDetails.Destination;
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Confirm');
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'notice', role: 'status', 'data-testid': 'signup-confirm' },
      h('strong', {}, `Account “${username}” created.`), ' ',
      'It must be confirmed before you can sign in: ',
      where ? `enter the code sent to ${where}.` : 'enter the confirmation code you received, or ask an administrator to confirm it.'),
    field('Confirmation code', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', 'data-field': 'code' }),
    error,
    h('div', { class: 'row' }, submit, h('button', { class: 'btn', type: 'button', onclick: backToSignIn }, 'Back to sign in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(error, form);
    const code = form.code.value.trim();
    if (!code) return showError(error, { message: 'Enter the code.', field: 'code' }, form);
    try {
      await busy(submit, 'Confirming…', () => confirmSignUp(username, code));
      form.replaceWith(confirmedNotice(backToSignIn));
    } catch (e) {
      showError(error, e, form);
    }
  });
  return form;
}
