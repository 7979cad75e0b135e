import { clientsClaim } from 'workbox-core/clientsClaim.js';
import { resolveConfig, type AuthProxyConfig } from './config.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { FetchHandler } from './fetch-handler.js';
import { logout } from './logout.js';
import { MessageHandler, helloReply } from './message-handler.js';
import { createUrlMatcher } from './protected-url.js';
import type { BroadcastEventMap, BroadcastType } from './protocol.js';
import { ProxyStatus } from './proxy-status.js';
import { Refresher } from './refresher.js';
import { Broadcaster } from './broadcaster.js';
import { TokenStore } from './token-store.js';

declare const self: ServiceWorkerGlobalScope;

/** What `installAuthProxy` returns. */
export interface AuthProxyHandle {
  /** Remove every listener the proxy added (for tests and for code that swaps configs). */
  dispose(): void;
}

/**
 * Turn this service worker into the auth proxy. Call it once, while the worker script first runs
 * (browsers only honour fetch listeners added then). It validates `config` and throws a
 * `ConfigError` naming the field and the fix, so a bad config fails the install instead of
 * running half-protected.
 *
 * It answers only the requests it is responsible for, so it can share the worker with other
 * fetch listeners such as Workbox routes: call it before registering routes, and do not route the
 * protected URLs elsewhere.
 *
 * @example
 * // auth-sw.ts, served from your origin's root
 * import { installAuthProxy } from 'sw-auth-proxy/sw';
 *
 * installAuthProxy({
 *   protectedOrigins: ['https://api.example.com'],
 *   tokenEndpoints: ['https://auth.example.com/oauth/token'],
 *   refreshEndpoint: 'https://auth.example.com/oauth/token',
 *   clientId: 'my-spa',
 * });
 */
export function installAuthProxy(config: AuthProxyConfig): AuthProxyHandle {
  const resolved = resolveConfig(config, self.location.href);
  const selfOrigin = self.location.origin;
  const store = new TokenStore(resolved.databaseName, resolved.refreshTokenStorage);
  const status = new ProxyStatus();

  // Another worker of this origin (an old or new version) changed the session: drop our copy.
  const broadcaster = new Broadcaster(resolved.channelName, () => store.invalidate());
  const announce = <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]): void => {
    broadcaster.announce(type, payload);
  };
  const onError = (error: AuthProxyError): void => {
    status.lastError = error.toWire();
    announce('error', error.toWire());
  };

  const refresher = new Refresher({
    config: resolved,
    store,
    announce: (type, payload) => {
      if (type === 'error') status.lastError = payload as BroadcastEventMap['error'];
      announce(type, payload);
    },
    onAttempt: (outcome) => {
      if (outcome === 'started') status.counters.refreshes++;
      else if (outcome === 'failed') status.counters.refreshFailures++;
      else status.lastRefreshAt = Date.now();
    },
  });
  const fetchHandler = new FetchHandler({
    config: resolved,
    isProtected: createUrlMatcher(resolved.protectedOrigins),
    selfOrigin,
    store,
    refresher,
    status,
    announce,
    onError,
  });
  const messageHandler = new MessageHandler(
    {
      hello: async (_payload, client) => {
        // A hard-reloaded page is not controlled; claiming it makes every later request of the
        // page pass through the proxy. claim() is a no-op for pages already controlled.
        await self.clients.claim();
        return helloReply(client);
      },
      status: async () => status.snapshot(await store.load(), refresher.inFlight !== undefined),
      logout: async ({ revoke }) => ({ revoked: await logout({ config: resolved, store, announce }, revoke === true) }),
    },
    selfOrigin,
  );

  const onInstall = (event: ExtendableEvent): void => event.waitUntil(self.skipWaiting());
  self.addEventListener('install', onInstall);
  clientsClaim();
  self.addEventListener('fetch', fetchHandler.handleEvent);
  self.addEventListener('message', messageHandler.handleEvent);

  return {
    dispose() {
      self.removeEventListener('install', onInstall);
      self.removeEventListener('fetch', fetchHandler.handleEvent);
      self.removeEventListener('message', messageHandler.handleEvent);
      broadcaster.dispose();
    },
  };
}
