// The deployment's settings, read once from config.json on the app's own origin
// (written by the static server from the stack outputs).

let config = null;

export async function loadConfig() {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const c = await res.json();
  for (const key of ['apiBase', 'cognitoEndpoint', 'userPoolId', 'userPoolClientId']) {
    if (!c[key]) throw new Error(`config.json lacks ${key}`);
  }
  c.apiBase = c.apiBase.replace(/\/+$/, '');
  config = Object.freeze(c);
  return config;
}

export function getConfig() {
  if (!config) throw new Error('config not loaded');
  return config;
}
