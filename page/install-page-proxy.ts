import { randomId } from '../sw/base64url.js';
import { Broadcaster } from '../sw/broadcaster.js';
import type { AuthProxyConfig } from '../sw/config.js';
import { corsDiagnosis } from '../sw/cors-diagnosis.js';
import { globalEnvironment } from '../sw/environment.js';
import { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import { FetchHandler } from '../sw/fetch-handler.js';
import { Logger } from '../sw/logger.js';
import { helloReply } from '../sw/message-handler.js';
import type { RequestMap, RequestType } from '../sw/protocol.js';
import { createUrlMatcher } from '../sw/protected-url.js';
import { ProxyStatus } from '../sw/proxy-status.js';
import { resolveConfig } from '../sw/resolve-config.js';
import { sessionCommands } from '../sw/session-commands.js';
import { Session, type Announce } from '../sw/session.js';
import { protectFetch, type PageRoute } from './protect-fetch.js';
import { protectEventSource } from './protect-event-source.js';
import { protectXhr } from './protect-xhr.js';
import { BroadcastHandover } from './refresh-token-handover.js';

/** Options of `installPageProxy`. */
export interface PageProxyOptions {
  /**
   * What the config's relative URLs resolve against. The client passes the worker script's URL,
   * so `'auth/token'` means the same URL in the page as in the worker.
   * @default location.href
   */
  baseUrl?: string;
}

/** The page engine of this tab, as `installPageProxy` returns it. */
export interface PageProxy {
  /** This tab's id in events (`replay-skipped`, `refresh-started`), as a worker's `Client.id` is. */
  readonly clientId: string;
  /** The commands a worker answers over `postMessage`, answered here in the page. */
  request<K extends RequestType>(type: K, payload: RequestMap[K]['request']): Promise<RequestMap[K]['response']>;
  /** Give `fetch`, `XMLHttpRequest` and `EventSource` back and stop listening; the session stays stored. */
  dispose(): void;
}

/** One engine per page: two would both wrap `fetch` and attach twice. */
let installed: PageProxy | null = null;

/**
 * Run the auth proxy's session engine in this page, for where no service worker can control it
 * (a Firefox private window, an in-app browser, service workers disabled by policy). It is the
 * worker's own code: the same session, refresher, store, lock and broadcasts, so a tab in page
 * mode and a tab under the worker share one session and one refresh lock, and every tab hears the
 * same events. `fetch`, `XMLHttpRequest` and `EventSource` to the protected URLs go through it
 * (an EventSource is read with `fetch`, since a page cannot give it a header); everything else
 * goes to the originals untouched.
 *
 * Most apps do not call this themselves: `registerAuthProxy(url, { fallback: 'page', config })`
 * loads it when the worker cannot take the page. Unlike the worker's config, this one is in page
 * memory: see SECURITY.md on what page mode does not protect against.
 *
 * @throws ConfigError when `config` is invalid, the same as the worker would.
 *
 * @example
 * import { installPageProxy } from 'sw-auth-proxy/page';
 * import { authConfig } from './auth-config.js'; // the module the worker script imports too
 *
 * const engine = installPageProxy(authConfig);
 */
export function installPageProxy(config: AuthProxyConfig, options: PageProxyOptions = {}): PageProxy {
  if (installed !== null) {
    throw new AuthProxyError('Failed to install the page engine: this page has one already; dispose() it first');
  }
  const resolved = resolveConfig(config, options.baseUrl ?? location.href);
  const clientId = randomId();
  // Taken before wrapping: the engine's own calls must reach the network, not itself.
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const env = { ...globalEnvironment(), fetch: nativeFetch };
  const status = new ProxyStatus('page');
  const logger = new Logger();
  const announce: Announce = (type, payload) => broadcaster.announce(type, payload);
  // 'memory' mode: each tab's memory is its own, so the tabs hand the refresh token to each other.
  const handover: BroadcastHandover | undefined =
    resolved.refreshTokenStorage === 'memory'
      ? new BroadcastHandover(
          resolved.channelName,
          () => session.store.memoryRefreshToken,
          (kept) => session.store.adoptRefreshToken(kept),
        )
      : undefined;
  const onError = (error: AuthProxyError): void => session.report(error);
  const cors = corsDiagnosis(location.origin, env, resolved.refreshTimeoutMs, onError);
  const session: Session = new Session({ config: resolved, env, announce, status, logger, cors, ...(handover ? { handover } : {}) });
  // Another tab's engine, or a worker, changed the session: take it from the store.
  const broadcaster = new Broadcaster(resolved.channelName, () => void session.resync());
  const handler = new FetchHandler({
    config: resolved,
    session,
    env,
    isProtected: createUrlMatcher(resolved.protectedOrigins),
    selfOrigin: location.origin,
    status,
    announce,
    logger,
    onError,
    cors,
  });
  const route: PageRoute = {
    handles: (url) => handler.handles(url),
    claims: (method, url) => handler.claims(method, url),
    respond: (request) => handler.respond(request, clientId),
  };
  const base = (): string => document.baseURI;
  const restoreFetch = protectFetch(globalThis, route, base);
  const restoreXhr = protectXhr(globalThis, route, base);
  const restoreEventSource = protectEventSource(globalThis, route, base);

  const commands = sessionCommands(session);
  const sender = { id: clientId };
  const keepAlive = (promise: Promise<unknown>): void => void promise.catch(() => undefined);
  const engine: PageProxy = {
    clientId,
    request(type, payload) {
      if (type === 'hello') {
        return Promise.resolve(helloReply(sender, session.logoutTimeoutMs) as never);
      }
      const command = commands[type as Exclude<RequestType, 'hello'>] as (
        payload: unknown,
        sender: { id: string },
        keepAlive: (promise: Promise<unknown>) => void,
      ) => Promise<never>;
      return command(payload, sender, keepAlive);
    },
    dispose() {
      restoreFetch();
      restoreXhr();
      restoreEventSource();
      broadcaster.dispose();
      handover?.dispose();
      if (installed === engine) installed = null;
    },
  };
  installed = engine;
  return engine;
}
