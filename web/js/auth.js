// Cognito sign-in and sign-up over its JSON API (no SDK), and the session:
// the ID token lives in sessionStorage, so it is gone when the tab closes.
import { getConfig } from './config.js';
import { AppError } from './errors.js';

const SESSION_KEY = 'fd.session';
const listeners = new Set();

/** Calls one Cognito Identity Provider action. */
async function cognito(action, body) {
  const { cognitoEndpoint } = getConfig();
  let res;
  try {
    res = await fetch(cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new AppError(`Cannot reach the sign-in service (${e.message}).`, { code: 'network' });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw cognitoError(res.status, data);
  return data;
}

// Cognito names the failure in __type ("…#NotAuthorizedException" on AWS).
function cognitoError(status, data) {
  const type = String(data.__type || data.code || '').split('#').pop();
  const message = data.message || data.Message || `Sign-in service error (HTTP ${status})`;
  const field = {
    NotAuthorizedException: 'password',
    UserNotFoundException: 'username',
    UsernameExistsException: 'username',
    InvalidPasswordException: 'password',
    CodeMismatchException: 'code',
    ExpiredCodeException: 'code',
  }[type] || '';
  const friendly = {
    UserNotConfirmedException: 'This account is not confirmed yet. Enter the confirmation code first.',
    PasswordResetRequiredException: 'This account needs a password reset.',
  }[type];
  return new AppError(friendly || message, { status, code: type || 'cognito', field });
}

export async function signIn(username, password) {
  const { userPoolClientId } = getConfig();
  const out = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: userPoolClientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  const token = out.AuthenticationResult && out.AuthenticationResult.IdToken;
  if (!token) {
    throw new AppError(`Sign-in needs a step this app does not support (${out.ChallengeName || 'no token'}).`, { code: 'challenge' });
  }
  const claims = decodeJwt(token);
  const session = { idToken: token, username: claims['cognito:username'] || username, sub: claims.sub, groups: groupsOf(claims), exp: claims.exp };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  notify();
  return session;
}

/** Registers a user; returns Cognito's answer ({UserConfirmed, UserSub, CodeDeliveryDetails}). */
export async function signUp(username, password, email) {
  const { userPoolClientId } = getConfig();
  const body = { ClientId: userPoolClientId, Username: username, Password: password };
  if (email) body.UserAttributes = [{ Name: 'email', Value: email }];
  return cognito('SignUp', body);
}

export async function confirmSignUp(username, code) {
  const { userPoolClientId } = getConfig();
  return cognito('ConfirmSignUp', { ClientId: userPoolClientId, Username: username, ConfirmationCode: code });
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  notify();
}

/** The signed-in user, or null (also when the token has expired). */
export function currentSession() {
  let s;
  try {
    s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    s = null;
  }
  if (!s || !s.idToken) return null;
  if (s.exp && s.exp * 1000 < Date.now() + 10_000) {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
  return s;
}

export function token() {
  const s = currentSession();
  return s ? s.idToken : '';
}

export function isCourier(session = currentSession()) {
  return !!session && session.groups.includes('courier');
}

export function isOps(session = currentSession()) {
  return !!session && session.groups.includes('ops');
}

/**
 * Whether the user may order food: customers may, and so may a user in no
 * role group (what self sign-up creates); courier and ops accounts may not.
 */
export function canOrder(session = currentSession()) {
  if (!session) return false;
  const g = session.groups;
  return g.includes('customer') || (!g.includes('courier') && !g.includes('ops'));
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify() {
  for (const fn of listeners) fn(currentSession());
}

/** The JWT's payload (not verified: the API verifies; the app only reads its name and groups). */
export function decodeJwt(jwt) {
  const part = String(jwt).split('.')[1];
  if (!part) throw new AppError('The sign-in service returned a malformed token.');
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * cognito:groups as a list. Cognito tokens carry a JSON array; API Gateway on
 * AWS flattens it to the string "[courier ops]"; accept both, and a bare or
 * comma-separated string.
 */
export function groupsOf(claims) {
  const g = claims['cognito:groups'];
  if (Array.isArray(g)) return g.map(String);
  if (typeof g === 'string') {
    return g.trim().replace(/^\[/, '').replace(/\]$/, '').split(/[\s,]+/).filter(Boolean);
  }
  return [];
}
