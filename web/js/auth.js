// Cognito sign-in and sign-up, and the session: the ID token lives in
// sessionStorage, so it is gone when the tab closes. Sign-in is SRP
// (USER_SRP_AUTH) through AWS's amazon-cognito-identity-js, whose browser bundle
// index.html loads from the static server (/vendor/…, pinned in package.json):
// the password never leaves the browser, only a proof that we know it.
// Sign-up and confirmation are plain calls to Cognito's JSON API.
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

// The library would keep its tokens in localStorage (they would outlive the tab); this store keeps them in
// memory only, the app keeps the ID token in sessionStorage itself.
class MemoryStore {
  constructor() { this.items = new Map(); }
  setItem(k, v) { this.items.set(k, String(v)); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  removeItem(k) { this.items.delete(k); }
  clear() { this.items.clear(); }
}

/** Signs in with SRP; resolves to the ID token or rejects with an AppError. */
function srpIdToken(username, password) {
  const { userPoolId, userPoolClientId, cognitoEndpoint } = getConfig();
  const lib = globalThis.AmazonCognitoIdentity;
  if (!lib) return Promise.reject(new AppError('The sign-in library did not load; reload the page.', { code: 'network' }));
  const storage = new MemoryStore();
  const pool = new lib.CognitoUserPool({ UserPoolId: userPoolId, ClientId: userPoolClientId, endpoint: cognitoEndpoint, Storage: storage });
  const user = new lib.CognitoUser({ Username: username, Pool: pool, Storage: storage });
  return new Promise((resolve, reject) => {
    const unsupported = (name) => () =>
      reject(new AppError(`Sign-in needs a step this app does not support (${name}).`, { code: 'challenge' }));
    user.authenticateUser(new lib.AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve(session.getIdToken().getJwtToken()),
      onFailure: (err = {}) => reject(err.code === 'NetworkError'
        ? new AppError(`Cannot reach the sign-in service (${err.message}).`, { code: 'network' })
        : cognitoError(err.statusCode || 400, { __type: err.code, message: err.message })),
      newPasswordRequired: unsupported('NEW_PASSWORD_REQUIRED'),
      mfaRequired: unsupported('SMS_MFA'),
      totpRequired: unsupported('SOFTWARE_TOKEN_MFA'),
      selectMFAType: unsupported('SELECT_MFA_TYPE'),
      mfaSetup: unsupported('MFA_SETUP'),
      customChallenge: unsupported('CUSTOM_CHALLENGE'),
    });
  });
}

export async function signIn(username, password) {
  const token = await srpIdToken(username, password);
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
