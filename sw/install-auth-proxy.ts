import { Broadcaster } from './broadcaster.js';
import type { AuthProxyConfig } from './config.js';
import { corsDiagnosis } from './cors-diagnosis.js';
import { globalEnvironment } from './environment.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { FetchHandler } from './fetch-handler.js';
import { Logger } from './logger.js';
import { MessageHandler, helloReply } from './message-handler.js';
import { createUrlMatcher } from './protected-url.js';
import { ProxyStatus } from './proxy-status.js';
import { resolveConfig } from './resolve-config.js';
import { sessionCommands } from './session-commands.js';
import { Session, type Announce } from './session.js';

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
  const env = globalEnvironment();
  const status = new ProxyStatus('worker');
  const logger = new Logger();
  const announce: Announce = (type, payload) => broadcaster.announce(type, payload);
  const onError = (error: AuthProxyError): void => session.report(error);
  const cors = corsDiagnosis(selfOrigin, env, resolved.refreshTimeoutMs, onError);
  const session = new Session({ config: resolved, env, announce, status, logger, cors });
  // Another worker of this origin (an old or new version) announced a change of the session.
  const broadcaster = new Broadcaster(resolved.channelName, () => void session.resync());

  const fetchHandler = new FetchHandler({
    config: resolved,
    session,
    env,
    isProtected: createUrlMatcher(resolved.protectedOrigins),
    selfOrigin,
    status,
    announce,
    logger,
    onError,
    cors,
  });
  const messageHandler = new MessageHandler(
    {
      ...sessionCommands(session),
      hello: async (_payload, client) => {
        // A hard-reloaded page is not controlled; claiming it makes every later request of the
        // page pass through the proxy. claim() is a no-op for pages already controlled.
        await self.clients.claim();
        return helloReply(client, session.logoutTimeoutMs);
      },
    },
    selfOrigin,
  );

  const onInstall = (event: ExtendableEvent): void => event.waitUntil(self.skipWaiting());
  // Take the pages that loaded before this worker, so their requests are protected at once.
  const onActivate = (event: ExtendableEvent): void => event.waitUntil(self.clients.claim());
  const onFetch = (event: FetchEvent): void => {
    fetchHandler.handleEvent(event);
  };
  self.addEventListener('install', onInstall);
  self.addEventListener('activate', onActivate);
  self.addEventListener('fetch', onFetch);
  self.addEventListener('message', messageHandler.handleEvent);

  return {
    dispose() {
      self.removeEventListener('install', onInstall);
      self.removeEventListener('activate', onActivate);
      self.removeEventListener('fetch', onFetch);
      self.removeEventListener('message', messageHandler.handleEvent);
      broadcaster.dispose();
    },
  };
}
