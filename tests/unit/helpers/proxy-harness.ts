import { expect, vi } from 'vitest';
import { corsDiagnosis } from '../../../sw/cors-diagnosis.js';
import type { AuthProxyError } from '../../../sw/errors/auth-proxy-error.js';
import { FetchHandler } from '../../../sw/fetch-handler.js';
import { Logger } from '../../../sw/logger.js';
import { createUrlMatcher } from '../../../sw/protected-url.js';
import { ProxyStatus } from '../../../sw/proxy-status.js';
import { EMPTY_RECORD } from '../../../sw/session-record.js';
import { Session } from '../../../sw/session.js';
import type { SessionStorage } from '../../../sw/session-storage.js';
import type { TokenSet } from '../../../sw/token-response.js';
import { corsBrowser, type CorsPolicy } from './cors-browser.js';
import { dispatchFetch } from './fetch-event.js';
import { FakeNetwork, apiJson, expiredToken, tokenResponse, type Responder, type SentRequest } from './fake-network.js';
import {
  API_ORIGIN,
  APP_ORIGIN,
  LOGIN_ENDPOINT,
  TOKEN_ENDPOINT,
  recordAnnouncements,
  testConfig,
  tokenSet,
  type ConfigOverrides,
} from './fixtures.js';
import { MemoryLocks } from './memory-locks.js';
import { recordedSleep } from './recorded-sleep.js';
import { testEnvironment } from './test-environment.js';

export const authorizationOf = (sent: SentRequest): string | null => sent.headers.get('authorization');

export function apiRequest(path: string, init: RequestInit = {}): Request {
  return new Request(`${API_ORIGIN}${path}`, init);
}

export interface ProxyHarnessOptions {
  /** Log in as `at-1`/`rt-1` (generation 1) before the test. @default true */
  login?: boolean;
  /** Overrides for the login's token set, e.g. its `expiresAt`. */
  tokens?: Partial<TokenSet>;
  /** Where the session is kept. @default IndexedDB (fake-indexeddb) */
  storage?: SessionStorage;
  /** Wait for the session to have read the store before returning. @default true */
  awaitReady?: boolean;
  /** Protected requests in the network at once. @default the handler's own */
  requestsInFlight?: number;
  /**
   * The worker's `fetch` checks CORS against these policies (by origin) as a browser does, and
   * the worker diagnoses the failures (`corsDiagnosis`). @default no CORS, no diagnosis
   */
  cors?: Record<string, CorsPolicy>;
  /** The clock the CORS diagnosis reads. @default Date.now */
  now?: () => number;
}

/**
 * A worker in front of a fake API and token endpoint: store, state machine, refresher (with a
 * recorded `sleep` and fixed jitter, so retries take no time), fetch handler and a debug log.
 * The API accepts `api.validToken` and answers anything else with an RFC 6750 401; tests swap
 * `api.respond`, `auth.respond` (refresh) or `loginServer.respond` to script the servers. The refresh window's jitter is 0, so
 * a token issued at T living L refreshes from T + L − max(5 s, L/10).
 */
export async function proxyHarness(
  overrides: ConfigOverrides = {},
  { login = true, tokens = {}, storage, awaitReady = true, requestsInFlight, cors, now }: ProxyHarnessOptions = {},
) {
  const config = testConfig(overrides);
  const locks = new MemoryLocks();
  const announcements = recordAnnouncements();
  const errors: AuthProxyError[] = [];
  const status = new ProxyStatus();
  const sleeps = recordedSleep();
  const logLines: string[] = [];
  const logger = new Logger((line) => logLines.push(line));
  const network = new FakeNetwork();
  const browser = cors ? corsBrowser(APP_ORIGIN, cors, network.fetch) : undefined;
  const env = { ...testEnvironment({ network, locks, sleeps }), ...(browser ? { fetch: browser.fetch } : {}), ...(now ? { now } : {}) };
  /** A worker: its own session and handler, over the shared storage, locks and network. */
  const worker = (status: ProxyStatus, logger: Logger) => {
    const onError = (error: AuthProxyError) => {
      errors.push(error);
      session.report(error);
    };
    const diagnosis = cors ? corsDiagnosis(APP_ORIGIN, env, config.refreshTimeoutMs, onError) : undefined;
    const session: Session = new Session({
      config,
      env,
      announce: announcements.announce,
      status,
      logger,
      refreshJitter: () => 0,
      ...(storage ? { storage } : {}),
      ...(diagnosis ? { cors: diagnosis } : {}),
    });
    const handler = new FetchHandler({
      config,
      session,
      env,
      isProtected: createUrlMatcher(config.protectedOrigins),
      selfOrigin: APP_ORIGIN,
      status,
      announce: announcements.announce,
      onError: (error) => errors.push(error),
      logger,
      requestsInFlight,
      ...(diagnosis ? { cors: diagnosis } : {}),
    });
    return { session, handler };
  };
  const { session, handler } = worker(status, logger);
  const { store, machine } = session;

  const isValid = (sent: SentRequest) => authorizationOf(sent) === `Bearer ${api.validToken}`;
  const api: { validToken: string; respond: Responder } = {
    validToken: 'at-1',
    respond: (sent) => (isValid(sent) ? apiJson({ path: new URL(sent.url).pathname }) : expiredToken()),
  };
  const auth: { respond: Responder } = {
    respond: () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }),
  };
  const loginServer: { respond: Responder } = {
    respond: () => tokenResponse({ access_token: 'at-login', refresh_token: 'rt-login' }),
  };
  network
    .route(LOGIN_ENDPOINT, (sent) => loginServer.respond(sent))
    .route(TOKEN_ENDPOINT, (sent) => auth.respond(sent))
    .route(API_ORIGIN, (sent) => api.respond(sent))
    .route(APP_ORIGIN, (sent) => api.respond(sent));
  vi.stubGlobal('fetch', network.fetch);

  if (awaitReady) await session.ready;
  logger.enabled = true;
  let record = awaitReady ? await store.load() : EMPTY_RECORD;
  if (login) {
    record = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', ...tokens }), false);
    machine.send({ type: 'logged-in' });
  }
  /** Promises the handler passed to `event.waitUntil`. */
  const extended: Promise<unknown>[] = [];
  /** Dispatch a request the handler must answer. */
  const send = (request: Request, clientId?: string): Promise<Response> => {
    const response = dispatchFetch(handler, request, clientId, extended);
    expect(response, 'respondWith was not called').toBeDefined();
    return response!;
  };
  /**
   * Another worker version of the origin, started now: same database (or storage), same lock and
   * network, its own memory. It hears nothing from this one: it reads the store.
   */
  const otherWorker = async () => {
    const other = worker(new ProxyStatus(), new Logger(() => undefined));
    await other.session.ready;
    return {
      owner: other.session,
      send: (request: Request, clientId?: string): Promise<Response> => {
        const response = dispatchFetch(other.handler, request, clientId, extended);
        expect(response, 'respondWith was not called').toBeDefined();
        return response!;
      },
    };
  };
  return {
    otherWorker,
    config,
    store,
    locks,
    announcements,
    errors,
    status,
    machine,
    sleeps,
    logLines,
    /** The refresh cycle under way (waiters, trigger), read through the session. */
    refresher: {
      get inFlight() {
        return session.refreshInFlight;
      },
    },
    handler,
    network,
    /** With `cors`: every request that reached a server through the browser's CORS checks. */
    arrivals: browser?.arrivals ?? [],
    api,
    auth,
    loginServer,
    isValid,
    session: record,
    owner: session,
    send,
    extended,
    /** Logins the session has announced. */
    logins: () => announcements.of('logged-in').length,
    lockName: `sw-auth-proxy:refresh:${config.databaseName}`,
    apiRequests: () => network.to(API_ORIGIN),
    refreshCalls: () => network.to(TOKEN_ENDPOINT),
  };
}
