/**
 * The demo dashboard. Its API calls are plain `fetch` and `EventSource`: the proxy below the page
 * does the auth. Each panel is its own file; this one registers the proxy and wires them up.
 */
import { registerAuthProxy, type AuthProxy } from '../../client/index.js';
import type { AuthProxyConfig } from '../../sw/index.js';
import { mountActionsPanel } from './actions-panel.js';
import { demoAuthConfig } from './auth-config.js';
import { byId } from './by-id.js';
import { mountChatStreamPanel } from './chat-stream-panel.js';
import { mountEventLogPanel } from './event-log-panel.js';
import { mountLoginForm } from './login-form.js';
import { recordAuthEvents, type RecordedAuthEvent } from './record-auth-events.js';
import { mountRefreshTimelinePanel } from './refresh-timeline-panel.js';
import { mountServerStatsPanel } from './server-stats-panel.js';
import { mountSessionPanel } from './session-panel.js';
import { mountSseFeedPanel } from './sse-feed-panel.js';
import { tabLabel } from './tab-label.js';

declare global {
  interface Window {
    /** For the browser tests and for poking at in DevTools. */
    authProxy: AuthProxy;
    /** Every event this tab received, oldest first. */
    authEvents: RecordedAuthEvent[];
  }
}

/**
 * The dashboard never polls: the worker is asked again when something happened (an auth event, an
 * action in any tab, the tab coming back into view). A page that asks every second keeps the
 * worker busy, and a busy worker is not stopped when idle and holds off its own update.
 */
const TICK_MS = 1000;

const teardown = new AbortController();
const { signal } = teardown;
addEventListener('pagehide', () => teardown.abort(), { once: true });

/**
 * Where no worker can take the page (service workers off, or a registration that fails), the page
 * runs the engine itself. `?worker=missing` registers a script that is not there, as a deploy
 * that lost it would, to show that. A variant's page (`/variants/<name>/`) loads its variant's
 * config from the server, only when it falls back.
 */
const variant = location.pathname.startsWith('/variants/');
const missing = new URLSearchParams(location.search).get('worker') === 'missing';
const auth = registerAuthProxy(missing ? './missing-auth-sw.js' : './auth-sw.js', {
  fallback: 'page',
  config: variant ? () => fetch('./auth-config.json').then((response) => response.json() as Promise<AuthProxyConfig>) : demoAuthConfig,
});
window.authProxy = auth;

const log = mountEventLogPanel(byId('log', HTMLOListElement));
const server = mountServerStatsPanel(byId('server-stats', HTMLElement));
const session = mountSessionPanel(byId('session', HTMLElement), auth, {
  pill: byId('proxy-state', HTMLElement),
  lifetimeMs: () => {
    const ttl = server.latest()?.['accessTokenTtl'];
    return ttl === undefined ? null : ttl * 1000;
  },
});
const update = (): void => {
  void session.update();
  void server.update();
};
// Other tabs of this dashboard say when they did something, so the server counters they changed
// show here too. Page to page: the worker is not involved.
const dashboards = new BroadcastChannel('sw-auth-proxy-demo-dashboard');
dashboards.addEventListener('message', update, { signal });
signal.addEventListener('abort', () => dashboards.close());
const changed = (): void => {
  update();
  dashboards.postMessage('changed');
};
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && update(), { signal });

window.authEvents = recordAuthEvents(auth, signal, (event) => {
  log.add(event.type, JSON.stringify(event.detail), event.at);
  update();
});
mountRefreshTimelinePanel(byId('timeline', HTMLTableElement), auth, signal);
mountActionsPanel(auth, signal, changed);
mountLoginForm(signal, (text) => {
  log.add('login', text);
  changed();
});
mountChatStreamPanel(signal);
mountSseFeedPanel(signal);

auth.ready.then(
  (info) => {
    byId('tab-name', HTMLElement).textContent = `this is ${tabLabel(info.clientId)}`;
    log.add(
      'ready',
      info.mode === 'worker'
        ? `controlled by sw-auth-proxy ${info.workerVersion}`
        : `sw-auth-proxy ${info.workerVersion} runs in this page: ${info.fallbackReason ?? 'no service worker'}`,
    );
    update();
    const timer = setInterval(() => session.tick(), TICK_MS);
    signal.addEventListener('abort', () => clearInterval(timer));
  },
  (error: unknown) => log.add('unavailable', error instanceof Error ? error.message : String(error)),
);
void server.update();
