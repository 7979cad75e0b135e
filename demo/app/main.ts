/**
 * The demo page. Its API calls are plain `fetch`: the proxy below the page does the auth.
 */
import { registerAuthProxy, type AuthProxy, type AuthProxyEventType } from '../../client/index.js';

declare global {
  interface Window {
    /** For the browser tests and for poking at in DevTools. */
    authProxy: AuthProxy;
    /** Every event this tab received, oldest first. */
    authEvents: { type: AuthProxyEventType; detail: unknown; at: number }[];
  }
}

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const auth = registerAuthProxy('./auth-sw.js');
window.authProxy = auth;
window.authEvents = [];

function log(text: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('#log').prepend(item);
}

function fill(list: HTMLElement, entries: Record<string, unknown>): void {
  list.replaceChildren(
    ...Object.entries(entries).flatMap(([key, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      return [dt, dd];
    }),
  );
}

const types: AuthProxyEventType[] = [
  'logged-in',
  'refresh-started',
  'token-refreshed',
  'refresh-failed',
  'session-expired',
  'logged-out',
  'replay-skipped',
  'state-changed',
  'queue-full',
  'error',
  'version-mismatch',
];
for (const type of types) {
  auth.addEventListener(type, (event) => {
    const detail = event.detail instanceof Error ? { name: event.detail.name, message: event.detail.message } : event.detail;
    window.authEvents.push({ type, detail, at: Date.now() });
    log(`${type} ${JSON.stringify(detail)}`);
    void refresh();
  });
}

async function refresh(): Promise<void> {
  try {
    const status = await auth.status();
    const left = status.expiresAt === null ? '—' : `${Math.max(0, Math.round((status.expiresAt - Date.now()) / 1000))} s`;
    $('#proxy-state').textContent = status.state;
    $('#proxy-state').className = `pill ${status.state}`;
    fill($('#status'), {
      state: status.state,
      'token expires in': left,
      generation: status.generation,
      'pending requests': status.pendingRequests,
      ...status.counters,
    });
    const stats: Record<string, unknown> = await (await fetch('/demo/stats')).json();
    fill($('#server-stats'), stats);
  } catch (error) {
    $('#proxy-state').textContent = error instanceof Error ? error.name : 'error';
    $('#proxy-state').className = 'pill error';
  }
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: $<HTMLInputElement>('#username').value, password: $<HTMLInputElement>('#password').value }),
  });
  // What the page gets: no refresh token, and a placeholder instead of the access token.
  log(`login answered ${response.status}: ${JSON.stringify(await response.json())}`);
});

$('#logout').addEventListener('click', () => void auth.logout());
$('#expire').addEventListener('click', () => void fetch('/demo/expire', { method: 'POST' }).then(() => log('server: all access tokens expired')));
$('#new-tab').addEventListener('click', () => window.open(location.href, '_blank'));
$('#me').addEventListener('click', async () => {
  const response = await fetch('/api/me');
  log(`GET /api/me → ${response.status} ${await response.text()}`);
});
$('#storm').addEventListener('click', async () => {
  const size = Number($<HTMLInputElement>('#storm-size').value) || 20;
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: size }, (_, i) => fetch(`/api/items/${i}`).then((r) => r.status, () => 0)),
  );
  const ok = results.filter((status) => status === 200).length;
  $('#storm-result').textContent = `${ok}/${size} succeeded in ${Math.round(performance.now() - started)} ms`;
  void refresh();
});

auth.ready.then(
  (info) => {
    log(`controlled by sw-auth-proxy ${info.workerVersion}`);
    void refresh();
    setInterval(() => document.visibilityState === 'visible' && void refresh(), 1000);
  },
  (error: unknown) => log(`auth proxy unavailable: ${error instanceof Error ? error.message : String(error)}`),
);
