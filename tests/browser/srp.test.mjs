// Secure Remote Password sign-in (Cognito's USER_SRP_AUTH) against the deployed stack's user pool, with AWS's own
// client library, amazon-cognito-identity-js (npm, pinned in package.json), as the web app signs in (web/js/auth.js;
// every browser test goes through it). The password never travels; the client proves it knows it
// (PASSWORD_VERIFIER). MiniStack 1.5.33 runs that exchange for real: the right password gets an ID token the HTTP API
// accepts, a wrong one NotAuthorizedException. The Go tools sign in with USER_PASSWORD_AUTH, which only the local
// stage's client allows (docs/security.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import cognito from 'amazon-cognito-identity-js';
import { WEB_URL, PASSWORD, launch, newPage, signIn } from './helpers.mjs';

/** The stack's pool and client (E2E_OUTPUTS) and the endpoints the web app uses (its config.json). */
async function stack() {
  assert.ok(process.env.E2E_OUTPUTS, 'E2E_OUTPUTS must name the stack outputs (make e2e sets it)');
  const outputs = Object.values(JSON.parse(await readFile(process.env.E2E_OUTPUTS, 'utf8')))[0];
  const config = await (await fetch(`${WEB_URL}/config.json`)).json();
  return { poolId: outputs.UserPoolId, clientId: outputs.UserPoolClientId, cognitoEndpoint: config.cognitoEndpoint, apiBase: config.apiBase };
}

/** Signs in with USER_SRP_AUTH (the library's default flow); resolves to the session or rejects with Cognito's error. */
function srpSignIn(s, username, password) {
  const pool = new cognito.CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: s.cognitoEndpoint });
  const user = new cognito.CognitoUser({ Username: username, Pool: pool });
  assert.equal(user.getAuthenticationFlowType(), 'USER_SRP_AUTH');
  return new Promise((resolve, reject) => {
    user.authenticateUser(new cognito.AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('SMS_MFA')),
      totpRequired: () => reject(new Error('SOFTWARE_TOKEN_MFA')),
    });
  });
}

test('a customer signs in with SRP (USER_SRP_AUTH) and the HTTP API accepts the ID token', async () => {
  const s = await stack();
  const session = await srpSignIn(s, 'demo-customer', PASSWORD);
  const idToken = session.getIdToken().getJwtToken();
  assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'demo-customer');
  const res = await fetch(`${s.apiBase}/orders`, { headers: { Authorization: `Bearer ${idToken}` } });
  assert.equal(res.status, 200, `GET /orders with the SRP token: ${res.status} ${await res.text()}`);
});

test('SRP with a wrong password is refused (the verifier is checked, not waved through)', async () => {
  const s = await stack();
  await assert.rejects(srpSignIn(s, 'demo-customer', `${PASSWORD}-wrong`), (e) => {
    assert.equal(e.code || e.name, 'NotAuthorizedException', `${e.code} ${e.message}`);
    return true;
  });
});

test('the web app signs in by SRP: no request it makes carries the password', async () => {
  const { cognitoEndpoint } = await (await fetch(`${WEB_URL}/config.json`)).json();
  const browser = await launch();
  try {
    const page = await newPage(browser);
    const sent = [];
    page.on('request', (r) => sent.push({ url: r.url(), target: r.headers()['x-amz-target'] || '', body: r.postData() || '' }));
    await signIn(page, 'demo-customer');
    // Cognito's calls are the ones with its target header (on the emulator its endpoint is also the API's host).
    const cognitoCalls = sent.filter((r) => r.url.startsWith(cognitoEndpoint) && r.target.startsWith('AWSCognitoIdentityProviderService.'))
      .map((r) => { const b = JSON.parse(r.body); return `${r.target.split('.').pop()} ${b.AuthFlow || b.ChallengeName}`; });
    assert.deepEqual(cognitoCalls, ['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
    for (const r of sent) assert.ok(!r.body.includes(PASSWORD) && !r.url.includes(PASSWORD), `${r.url} carried the password`);
    assert.deepEqual(page.problems, []);
  } finally {
    await browser.close();
  }
});
