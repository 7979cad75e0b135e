import { clientsClaim } from 'workbox-core/clientsClaim.js';
import { AuthStateMachine } from './auth-state-machine.js';
import { Broadcaster } from './broadcaster.js';
import { resolveConfig, type AuthProxyConfig } from './config.js';
import { AuthProxyError } from './errors/auth-proxy-error.js';
import { FetchHandler } from './fetch-handler.js';
import { Logger } from './logger.js';
import { logout } from './logout.js';
import { MessageHandler, helloReply } from './message-handler.js';
import { createUrlMatcher } from './protected-url.js';
import type { BroadcastEventMap, BroadcastType } from './protocol.js';
import { ProxyStatus } from './proxy-status.js';
import { Refresher } from './refresher.js';
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
  const store = new TokenStore(resolved.databaseName, resolved.refreshTokenStorage, { refreshAhead: resolved.refreshAhead });
  const status = new ProxyStatus();
  const logger = new Logger();

  const announce = <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]): void => {
    if (type === 'error') status.lastError = payload as BroadcastEventMap['error'];
    if (type === 'refresh-failed') status.lastError = (payload as BroadcastEventMap['refresh-failed']).error;
    broadcaster.announce(type, payload);
  };
  const machine = new AuthStateMachine('anonymous', 0, (state, previous) => {
    logger.debug('state', { state, previous });
    announce('state-changed', { state, previous });
  });
  // Another worker of this origin (an old or new version) changed the session: drop our copy and
  // take the state from the store, not from the message.
  const resync = (): Promise<void> => {
    store.invalidate();
    return store.load().then(
      (record) => machine.restore(record),
      (error: unknown) => reportStoreError(error),
    );
  };
  const broadcaster = new Broadcaster(resolved.channelName, () => void resync());
  const reportStoreError = (error: unknown): void => {
    const wire = new AuthProxyError(`Failed to read the session store: ${error instanceof Error ? error.name : 'unknown error'}`).toWire();
    status.lastError = wire;
    broadcaster.announce('error', wire);
  };
  // The first event of a freshly started worker waits for this; later ones find it settled.
  const ready = Promise.all([
    resync(),
    store.readFlags().then((flags) => {
      logger.enabled = flags.debug;
    }, reportStoreError),
  ]);

  const refresher = new Refresher({
    config: resolved,
    store,
    machine,
    announce,
    logger,
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
    machine,
    status,
    announce,
    logger,
    ready,
    onError: (error) => announce('error', error.toWire()),
    onLogin: () => machine.send({ type: 'logged-in' }),
  });
  const messageHandler = new MessageHandler(
    {
      hello: async (_payload, client) => {
        // A hard-reloaded page is not controlled; claiming it makes every later request of the
        // page pass through the proxy. claim() is a no-op for pages already controlled.
        await self.clients.claim();
        return helloReply(client);
      },
      status: async () => {
        await ready;
        return status.snapshot(await store.load(), machine.state(), machine.blockedUntil, logger.enabled);
      },
      logout: async ({ revoke }) => {
        const revoked = await logout({ config: resolved, store, announce }, revoke === true);
        machine.send({ type: 'logged-out' });
        return { revoked };
      },
      'set-debug': async ({ enabled }) => {
        // After start-up has read the stored flag, or that read would undo this switch.
        await ready;
        logger.enabled = enabled === true;
        await store.writeFlags({ debug: logger.enabled });
        return { enabled: logger.enabled };
      },
      visible: async (_payload, client, keepAlive) => {
        await ready;
        const record = await store.load();
        const refreshAt = record.tokens?.refreshAt ?? null;
        if (refreshAt === null || Date.now() < refreshAt || !machine.mayRefresh() || refresher.inFlight) {
          return { refreshing: refresher.inFlight !== undefined };
        }
        logger.debug('refresh-ahead', { generation: record.generation, trigger: 'visible' });
        keepAlive(refresher.refresh(record.generation, { kind: 'visible', clientId: client.id, method: null, url: null }, false));
        return { refreshing: true };
      },
    },
    selfOrigin,
  );

  const onInstall = (event: ExtendableEvent): void => event.waitUntil(self.skipWaiting());
  const onFetch = (event: FetchEvent): void => {
    fetchHandler.handleEvent(event);
  };
  self.addEventListener('install', onInstall);
  clientsClaim();
  self.addEventListener('fetch', onFetch);
  self.addEventListener('message', messageHandler.handleEvent);

  return {
    dispose() {
      self.removeEventListener('install', onInstall);
      self.removeEventListener('fetch', onFetch);
      self.removeEventListener('message', messageHandler.handleEvent);
      broadcaster.dispose();
    },
  };
}
