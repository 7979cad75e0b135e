import type { AuthStateMachine } from './auth-state-machine.js';
import { parseRetryAfter } from './backoff.js';
import type { ResolvedConfig } from './config.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { EventStreamResume } from './event-stream-resume.js';
import { holdWhileStreaming } from './hold-while-streaming.js';
import { redact, type Logger } from './logger.js';
import { PLACEHOLDER_PREFIX, type BroadcastEventMap, type BroadcastType, type RefreshTrigger } from './protocol.js';
import type { ProxyStatus } from './proxy-status.js';
import type { RefreshResult, Refresher } from './refresher.js';
import { readReplayableBody, type ReplayableBody } from './replayable-body.js';
import { RequestSlots } from './request-slots.js';
import { captureTokenResponse, type TokenCaptureOptions } from './token-capture.js';
import { hashToken, type SessionRecord, type SessionTokens, type TokenStore } from './token-store.js';

export interface FetchHandlerOptions {
  config: ResolvedConfig;
  isProtected: (url: URL) => boolean;
  /** The worker's own origin: same-origin no-cors requests are upgraded differently. */
  selfOrigin: string;
  store: TokenStore;
  refresher: Refresher;
  machine: AuthStateMachine;
  status: ProxyStatus;
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
  onError: (error: AuthProxyError) => void;
  /** Settles once the worker has read its state after starting; every request waits for it. */
  ready: Promise<unknown>;
  /** Tells the worker when a login was captured. */
  onLogin: () => void;
  logger?: Logger;
  /** @default REQUESTS_IN_FLIGHT */
  requestsInFlight?: number | undefined;
}

/**
 * Protected requests the worker has in the network at once; the rest wait for a slot. Chromium
 * fails a process's fetches with `net::ERR_INSUFFICIENT_RESOURCES` once about 2,000 are
 * outstanding: in the bench's 20 tabs × 100 requests, a bare pass-through worker lost 400 to 600 of
 * 2,000 that way. A browser sends at most six at a time to an HTTP/1.1 host anyway, so waiting here
 * costs no throughput, and a request that waited goes out with the token current by then instead
 * of a stale one that earns a 401 and a second round trip.
 */
export const REQUESTS_IN_FLIGHT = 256;

/** What the page's own Authorization header means to the proxy. */
type AppAuthorization = 'none' | 'ours' | 'theirs';

/** One protected request as it goes through the proxy. */
interface Exchange {
  request: Request;
  url: URL;
  clientId: string;
  /** Keeps the worker alive for work that outlives the response (a background refresh). */
  keepAlive: (promise: Promise<unknown>) => void;
  /**
   * When this request stops waiting for refreshes: `refreshTimeoutMs` after it first waited, for
   * all its waits together (before sending and after a 401), so no request waits twice as long.
   */
  waitDeadline: number | null;
}

/**
 * RFC 6750 §3: a 401 the proxy may fix by refreshing: no challenge (also what a cross-origin
 * response looks like when the server does not expose `WWW-Authenticate`), a Bearer challenge with
 * `error="invalid_token"`, or a Bearer challenge with no error code at all, which is how many
 * servers answer an expired token. Other schemes' 401s, and `insufficient_scope`, are not ours.
 */
function isRefreshable(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate');
  if (challenge === null) return true;
  if (!/\bBearer\b/i.test(challenge)) return false;
  const error = /\berror\s*=\s*"?([\w-]+)"?/i.exec(challenge);
  return error === null || error[1]!.toLowerCase() === 'invalid_token';
}

/**
 * The URL as it may appear in events and logs: no query, no fragment, and identifiers in the path
 * masked the way the log masks them. Events go to every tab and logs to the console, and paths
 * can carry ids, signed names and the like.
 */
function describe(url: URL): string {
  return redact(url.origin + url.pathname);
}

/**
 * Answers the requests the proxy is responsible for: token endpoints (capture) and protected API
 * requests (attach; refresh ahead of expiry; on a 401 refresh and replay once). Every other
 * request is left alone, not even `respondWith`, so other fetch listeners (Workbox routes) and the
 * browser handle it.
 */
export class FetchHandler {
  readonly #options: FetchHandlerOptions;
  /** Requests waiting for a refresh right now, for the queue cap. */
  #waiting = 0;
  #queueFullAnnouncedFor: string | undefined;
  readonly #eventStreams = new EventStreamResume();
  readonly #slots: RequestSlots;
  /** What token capture needs; a captured login also moves this worker's state machine. */
  readonly #capture: TokenCaptureOptions;

  /** `origin/` of every protected origin and token endpoint: a string test before any URL parsing. */
  readonly #candidates: readonly string[];

  constructor(options: FetchHandlerOptions) {
    this.#options = options;
    this.#slots = new RequestSlots(options.requestsInFlight ?? REQUESTS_IN_FLIGHT);
    this.#capture = {
      ...options,
      announce: (type, payload) => {
        if (type === 'logged-in') options.onLogin();
        options.announce(type, payload);
      },
    };
    const origins = new Set([
      ...options.config.protectedOrigins.keys(),
      ...[...options.config.tokenEndpoints].map((e) => new URL(e).origin),
    ]);
    this.#candidates = [...origins].map((origin) => `${origin}/`);
  }

  /** The `fetch` event listener. */
  readonly handleEvent = (event: FetchEvent): void => {
    const request = event.request;
    // Navigations carry no bearer token (a page load is not an API call) and must never break.
    if (request.mode === 'navigate') return;
    // Most requests of a page (scripts, images, other APIs) are none of ours. Request URLs arrive
    // serialised the way URL.origin serialises (lower-case host, no default port), so a prefix test
    // on `origin/` is exact: "https://api.example.com.evil.test/" does not start with it.
    const raw = request.url;
    if (!this.#candidates.some((candidate) => raw.startsWith(candidate))) return;
    const url = new URL(raw);
    const { config, isProtected } = this.#options;
    if (request.method === 'POST' && config.tokenEndpoints.has(url.origin + url.pathname)) {
      event.respondWith(captureTokenResponse(request, this.#capture));
    } else if (isProtected(url)) {
      const clientId = event.clientId || event.resultingClientId;
      // EventSource reconnects lose Last-Event-ID on their way into a worker; put it back.
      const resumed = this.#eventStreams.restore(request, clientId);
      const keepAlive = (promise: Promise<unknown>): void => event.waitUntil(promise);
      event.respondWith(
        this.#proxy({ request: resumed, url, clientId, keepAlive, waitDeadline: null }).then((response) =>
          holdWhileStreaming(this.#eventStreams.track(response, resumed, clientId), keepAlive),
        ),
      );
    }
  };

  async #proxy(exchange: Exchange): Promise<Response> {
    const { store, status, config, logger } = this.#options;
    const { request } = exchange;
    status.counters.requests++;
    status.pendingRequests++;
    // Held until the response headers are in: a stream's body does not keep its slot.
    const release = await this.#slots.take();
    try {
      await this.#options.ready;
      const record = await this.#beforeSend(await store.load(), exchange);
      const body = await readReplayableBody(request, config.maxReplayBodyBytes);
      const ownership = await this.#appAuthorization(request, record.tokens);
      let response = await fetch(this.#authorize(request, body, ownership === 'theirs' ? null : record.tokens));

      if (response.status === 401 && ownership !== 'theirs' && record.tokens !== null && isRefreshable(response)) {
        response = await this.#afterUnauthorized(response, record, body, exchange);
      }
      if (config.apiRetry !== false && config.apiRetry.methods.has(request.method)) {
        response = await this.#retryWhenAsked(response, body, ownership, exchange);
      }
      return response;
    } catch (error) {
      // An aborted or failed network request rejects, which is what the page would have seen
      // without the proxy; say so in the debug log without details that could carry data.
      logger?.debug('request-failed', {
        method: request.method,
        url: describe(exchange.url),
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    } finally {
      release();
      status.pendingRequests--;
    }
  }

  /**
   * Before sending: wait for a refresh that replaces a token known to be useless, refresh first
   * when the token has expired by the worker's clock, or start a background refresh when the
   * token is inside its refresh window (the request goes out at once with the still-valid token).
   */
  async #beforeSend(record: SessionRecord, exchange: Exchange): Promise<SessionRecord> {
    const { refresher, machine, logger } = this.#options;
    const tokens = record.tokens;
    if (tokens === null) return record;
    const now = Date.now();
    const expired = tokens.expiresAt !== null && tokens.expiresAt <= now;
    const flight = refresher.inFlight;
    if (flight) {
      if (!flight.info.tokenRejected && !expired) return record;
      const result = await this.#wait(exchange, () => refresher.join()!);
      return result?.ok ? result.record : record;
    }
    if (!machine.mayRefresh(now)) return record;
    if (expired) {
      const result = await this.#wait(exchange, () => refresher.refresh(record.generation, this.#trigger('expired', exchange)));
      return result?.ok ? result.record : record;
    }
    if (tokens.refreshAt !== null && now >= tokens.refreshAt) {
      logger?.debug('refresh-ahead', {
        generation: record.generation,
        msBeforeExpiry: tokens.expiresAt === null ? null : tokens.expiresAt - now,
      });
      exchange.keepAlive(refresher.refresh(record.generation, this.#trigger('proactive', exchange), false));
    }
    return record;
  }

  async #afterUnauthorized(first: Response, record: SessionRecord, body: ReplayableBody, exchange: Exchange): Promise<Response> {
    const { status, announce, logger } = this.#options;
    const { request, url, clientId } = exchange;
    if (typeof body === 'string') {
      status.counters.replaysSkipped++;
      announce('replay-skipped', { method: request.method, url: describe(url), reason: body, clientId });
      logger?.debug('replay-skipped', { method: request.method, url: describe(url), reason: body });
      return first;
    }
    // The 401 may belong to a token another request has already replaced: replay with the newer
    // one rather than start a refresh cycle that would only find it, unless that one has expired
    // too (a slow request can outlive a whole token lifetime), in which case refresh from it.
    const latest = await this.#options.store.load();
    const newer = latest.tokens !== null && latest.generation > record.generation;
    const newerValid = newer && (latest.tokens!.expiresAt === null || latest.tokens!.expiresAt > Date.now());
    const result: RefreshResult | null = newerValid
      ? { ok: true, record: latest, refreshed: false }
      : await this.#wait(exchange, () =>
          this.#options.refresher.refresh(newer ? latest.generation : record.generation, this.#trigger('unauthorized', exchange)),
        );
    if (!result?.ok) return first;
    // The 401's body is not needed any more; free its connection.
    first.body?.cancel().catch(() => undefined);
    status.counters.replayed++;
    logger?.debug('replay', { method: request.method, url: describe(url), generation: result.record.generation });
    return fetch(this.#authorize(request, body, result.record.tokens));
  }

  /**
   * Wait for the refresh `start` joins or starts, within the request's `refreshTimeoutMs` budget,
   * and not at all (`start` is then not called) when `maxWaitingRequests` are already waiting.
   * `null` means "did not wait for an outcome": the caller goes on with what it has.
   */
  async #wait(exchange: Exchange, start: () => Promise<RefreshResult>): Promise<RefreshResult | null> {
    const { config, announce, logger, refresher } = this.#options;
    if (this.#waiting >= config.maxWaitingRequests) {
      const id = refresher.inFlight?.info.id ?? 'none';
      if (this.#queueFullAnnouncedFor !== id) {
        this.#queueFullAnnouncedFor = id;
        announce('queue-full', { waiting: this.#waiting, limit: config.maxWaitingRequests });
        logger?.debug('queue-full', { waiting: this.#waiting, limit: config.maxWaitingRequests });
      }
      return null;
    }
    exchange.waitDeadline ??= Date.now() + config.refreshTimeoutMs;
    const budget = exchange.waitDeadline - Date.now();
    if (budget <= 0) return null;
    const waitingFor = start();
    this.#waiting++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        waitingFor,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), budget);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.#waiting--;
    }
  }

  /**
   * Opt-in (`apiRetry`): an idempotent request answered 429 or 503 with a `Retry-After` the config
   * accepts is sent again after that delay, a bounded number of times.
   */
  async #retryWhenAsked(response: Response, body: ReplayableBody, ownership: AppAuthorization, exchange: Exchange): Promise<Response> {
    const { config, store, status, logger } = this.#options;
    if (config.apiRetry === false || typeof body === 'string') return response;
    for (let retry = 1; retry <= config.apiRetry.maxRetries && (response.status === 429 || response.status === 503); retry++) {
      const delay = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'), Date.now());
      if (delay === null || delay > config.apiRetry.maxDelayMs) return response;
      response.body?.cancel().catch(() => undefined);
      logger?.debug('api-retry', {
        method: exchange.request.method,
        url: describe(exchange.url),
        status: response.status,
        delayMs: delay,
        retry,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      status.counters.apiRetries++;
      const tokens = ownership === 'theirs' ? null : (await store.load()).tokens;
      response = await fetch(this.#authorize(exchange.request, body, tokens));
    }
    return response;
  }

  #trigger(kind: RefreshTrigger['kind'], exchange: Exchange): RefreshTrigger {
    return { kind, clientId: exchange.clientId || null, method: exchange.request.method, url: describe(exchange.url) };
  }

  /**
   * Keep the page's own Authorization header unless its bearer value is one this proxy handed out
   * (the placeholder, or an access token of this session, current or earlier).
   */
  async #appAuthorization(request: Request, tokens: SessionTokens | null): Promise<AppAuthorization> {
    const header = request.headers.get('authorization');
    if (header === null) return 'none';
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return 'theirs';
    const value = match[1]!;
    if (value.startsWith(PLACEHOLDER_PREFIX)) return 'ours';
    if (tokens === null) return 'theirs';
    if (value === tokens.accessToken) return 'ours';
    if (tokens.previousTokenHashes.length === 0) return 'theirs';
    return tokens.previousTokenHashes.includes(await hashToken(value)) ? 'ours' : 'theirs';
  }

  /**
   * The request to send: the page's request with the current token. Every property of the
   * original (method, credentials, cache, redirect, integrity, keepalive, signal) carries over
   * through `new Request(request, init)`; referrer and its policy are reset by that constructor
   * whenever `init` is non-empty, so they are passed again explicitly.
   */
  #authorize(request: Request, body: ReplayableBody, tokens: SessionTokens | null): Request {
    const headers = new Headers(request.headers);
    if (tokens !== null) headers.set('authorization', `Bearer ${tokens.accessToken}`);
    else if (/^\s*Bearer\s+sw-auth-proxy\./i.test(headers.get('authorization') ?? '')) headers.delete('authorization');
    const init: RequestInit = { headers, referrer: request.referrer, referrerPolicy: request.referrerPolicy };
    // A no-cors request silently drops an Authorization header (the "request-no-cors" header
    // guard), so an <img> or <video> pointing at a protected URL is upgraded to a CORS request.
    if (request.mode === 'no-cors') {
      init.mode = new URL(request.url).origin === this.#options.selfOrigin ? 'same-origin' : 'cors';
    }
    if (body instanceof ArrayBuffer) init.body = body;
    return new Request(request, init);
  }
}
