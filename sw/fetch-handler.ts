import { authorizedRequest, isRedirect } from './authorized-request.js';
import { parseRetryAfter } from './backoff.js';
import { isRefreshable } from './bearer-challenge.js';
import type { ResolvedConfig } from './config.js';
import type { CorsDiagnosis } from './cors-diagnosis.js';
import type { Environment } from './environment.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { RedirectRefusedError } from './errors/redirect-refused-error.js';
import { EventStreamResume, isEventStreamRequest } from './event-stream-resume.js';
import { holdWhileStreaming } from './hold-while-streaming.js';
import { redact, type Logger } from './logger.js';
import type { ProxyStatus } from './proxy-status.js';
import { RequestBody } from './request-body.js';
import { RecallableSends } from './recallable-sends.js';
import { RequestSlots } from './request-slots.js';
import type { SessionRecord, SessionTokens } from './session-record.js';
import type { ReplaySkipReason } from './protocol.js';
import type { Announce, AppAuthorization, RequestContext, Session } from './session.js';
import { captureTokenResponse, type TokenCaptureOptions } from './token-capture.js';

export interface FetchHandlerOptions {
  config: ResolvedConfig;
  session: Session;
  env: Pick<Environment, 'fetch' | 'now' | 'sleep'>;
  isProtected: (url: URL) => boolean;
  /** The worker's own origin: same-origin no-cors requests are upgraded differently. */
  selfOrigin: string;
  status: ProxyStatus;
  announce: Announce;
  onError: (error: AuthProxyError) => void;
  logger?: Logger;
  /** @default REQUESTS_IN_FLIGHT */
  requestsInFlight?: number | undefined;
  /** Tells the page why a cross-origin protected request failed, when the browser says only `TypeError`. */
  cors?: CorsDiagnosis;
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

/**
 * What one trip to the network brought: the answer, and for a refreshable 401 the session's
 * decision on a replay. A recalled send has no answer, only that decision.
 */
type Sent<T> =
  | { response: Response; attached: T; replay?: undefined }
  | { response: Response | undefined; attached: T; replay: Promise<SessionTokens | null> };

/** One protected request as it goes through the proxy. */
interface Exchange {
  request: Request;
  context: RequestContext;
}

/**
 * The URL as it may appear in events and logs: no query, no fragment, and identifiers in the path
 * masked the way the log masks them. Events go to every tab and logs to the console, and paths
 * can carry ids, signed names and the like.
 */
function describe(url: URL): string {
  return redact(url.origin + url.pathname);
}

/** Keeps a page engine's background work from surfacing as an unhandled rejection. */
const ignoreRejection = (promise: Promise<unknown>): void => void promise.catch(() => undefined);

/**
 * Answers the requests the proxy is responsible for: token endpoints (capture) and protected API
 * requests (attach; refresh ahead of expiry; on a 401 refresh and replay once). Every other
 * request is left alone, not even `respondWith`, so other fetch listeners (Workbox routes) and the
 * browser handle it.
 */
export class FetchHandler {
  readonly #options: FetchHandlerOptions;
  readonly #eventStreams: EventStreamResume;
  readonly #slots: RequestSlots;
  readonly #recallable = new RecallableSends();
  readonly #capture: TokenCaptureOptions;

  /** `origin/` of every protected origin and token endpoint: a string test before any URL parsing. */
  readonly #candidates: readonly string[];

  constructor(options: FetchHandlerOptions) {
    this.#options = options;
    this.#slots = new RequestSlots(options.requestsInFlight ?? REQUESTS_IN_FLIGHT);
    this.#eventStreams = new EventStreamResume({
      idleTimeoutMs: options.config.eventStreams === false ? null : options.config.eventStreams.idleTimeoutMs,
      onStalled: (raw, clientId, idleMs) => {
        const url = describe(new URL(raw));
        options.status.counters.eventStreamsStalled++;
        options.announce('event-stream-stalled', { url, idleMs, clientId });
        options.logger?.debug('event-stream-stalled', { url, idleMs });
      },
    });
    this.#capture = {
      config: options.config,
      login: (tokens, dpopKey) => options.session.login(tokens, dpopKey),
      loginKey: () => options.session.loginKey(),
      signer: options.session.dpop,
      serverTimeOffsetMs: () => options.session.store.cached?.serverTimeOffsetMs ?? 0,
      onError: options.onError,
      fetch: options.env.fetch,
      now: () => options.env.now(),
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
    const keepAlive = (promise: Promise<unknown>): void => event.waitUntil(promise);
    const response = this.respond(request, event.clientId || event.resultingClientId, keepAlive);
    if (response) event.respondWith(response);
  };

  /**
   * The answer to `request` when it is one of ours (a token endpoint's login, a protected API
   * call), `undefined` for any other, which the caller sends on untouched. The transport's part
   * is only this: the worker's fetch event and the page engine's wrapped `fetch` both call it.
   *
   * @param clientId the tab the request comes from, as events name it.
   * @param keepAlive a worker's: keeps it alive for work that outlives the response, streamed
   *   bodies included. A page outlives its requests by itself: without it nothing is held, and the
   *   response is the network's own (its `url` and `redirected` intact).
   */
  respond(request: Request, clientId: string, keepAlive?: (promise: Promise<unknown>) => void): Promise<Response> | undefined {
    // Most requests of a page (scripts, images, other APIs) are none of ours. Request URLs arrive
    // serialised the way URL.origin serialises (lower-case host, no default port), so a prefix test
    // on `origin/` is exact: "https://api.example.com.evil.test/" does not start with it.
    const raw = request.url;
    if (!this.handles(raw)) return undefined;
    const url = new URL(raw);
    const role = this.#role(request.method, url);
    if (role === 'capture') return captureTokenResponse(request, this.#capture);
    if (role === null) return undefined;
    let described: string | undefined;
    const context: RequestContext = {
      clientId,
      method: request.method,
      // Only events and the debug log read it: most requests never pay for the redaction.
      get url() {
        return (described ??= describe(url));
      },
      signal: request.signal ?? null,
      keepAlive: keepAlive ?? ignoreRejection,
      waitDeadline: null,
    };
    let answer: Promise<Response>;
    if (isEventStreamRequest(request)) {
      // EventSource reconnects lose Last-Event-ID on their way into a worker; put it back.
      const resumed = this.#eventStreams.restore(request, clientId);
      answer = this.#proxy({ request: resumed, context }).then((response) => this.#eventStreams.track(response, resumed, clientId));
    } else {
      answer = this.#proxy({ request, context });
    }
    return keepAlive ? answer.then((response) => holdWhileStreaming(response, keepAlive)) : answer;
  }

  /**
   * Whether `url` (serialised as a Request's is) may be one of ours: a string test, before any
   * parsing, that lets everything else through at no cost. `respond` makes the exact decision.
   */
  handles(url: string): boolean {
    return this.#candidates.some((candidate) => url.startsWith(candidate));
  }

  /** Whether `respond` would answer a `method` request to `url` (absolute), before there is a Request. */
  claims(method: string, url: string): boolean {
    return this.handles(url) && this.#role(method, new URL(url)) !== null;
  }

  /** A login to capture, a protected call, or none of ours. */
  #role(method: string, url: URL): 'capture' | 'protect' | null {
    const { config, isProtected } = this.#options;
    if (method === 'POST' && config.tokenEndpoints.has(url.origin + url.pathname)) return 'capture';
    return isProtected(url) ? 'protect' : null;
  }

  async #proxy(exchange: Exchange): Promise<Response> {
    const { session, status, config, logger } = this.#options;
    const { request } = exchange;
    status.counters.requests++;
    status.pendingRequests++;
    // The copy for a replay is read from now on, beside everything else; nothing waits for it.
    const body = new RequestBody(request, { maxBytes: config.maxReplayBodyBytes, timeoutMs: config.replayBodyTimeoutMs });
    try {
      await session.beforeSend(exchange.context);
      // Read once the request has its slot, so the token is the one current when it goes out.
      const sent = await this.#send(exchange, body, { first: true }, async () => {
        const record = await session.current();
        const ownership: AppAuthorization = await session.claims(request.headers.get('authorization'), record.tokens);
        return { tokens: ownership === 'theirs' ? null : record.tokens, record, ownership };
      });
      const { record, ownership, tokens } = sent.attached;
      let response = sent.replay === undefined ? sent.response : await this.#replay(sent.response, sent.replay, body, exchange, tokens);
      if (config.apiRetry !== false && config.apiRetry.methods.has(request.method)) {
        response = await this.#retryWhenAsked(response, body, ownership === 'theirs' ? undefined : record, exchange);
      }
      return response;
    } catch (error) {
      // An aborted or failed network request rejects, which is what the page would have seen
      // without the proxy; say so in the debug log without details that could carry data.
      logger?.debug('request-failed', {
        method: request.method,
        url: exchange.context.url,
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    } finally {
      body.release();
      status.pendingRequests--;
    }
  }

  /**
   * One trip to the network, holding a request slot until the response headers are in (a stream's
   * body does not keep its slot). `attach` is asked for the tokens once the slot is ours. A first
   * send answered with a refreshable 401 asks the session for a replay before the slot goes to
   * the next request, so that one finds the refresh under way and waits for it instead of
   * spending the same rejected token.
   */
  async #send<T extends { tokens: SessionTokens | null; record?: SessionRecord; ownership?: AppAuthorization }>(
    exchange: Exchange,
    body: RequestBody,
    { first }: { first: boolean },
    attach: () => Promise<T>,
  ): Promise<Sent<T>> {
    const { session } = this.#options;
    const { context } = exchange;
    const queued = this.#slots.full;
    let release = await this.#slots.take(context.signal);
    // A refresh for a rejected token began while this request queued: wait for it without the slot.
    if (first && session.wouldWait(context, queued)) {
      release();
      await session.awaitRefresh(context, queued);
      release = await this.#slots.take(context.signal);
    }
    try {
      const attached = await attach();
      const { record, tokens } = attached;
      const recallable = first && tokens !== null ? this.#recallable.open(context.method, record!.generation, context.signal) : undefined;
      let response: Response | undefined;
      try {
        response = await this.#fetch(exchange, body, tokens, recallable?.signal);
      } catch (error) {
        if (!recallable?.recalled) throw error;
      } finally {
        recallable?.close();
      }
      // Recalled: it goes again once the refresh is done. One whose headers came in just before
      // the recall reached it has lost its body to the abort, so it goes again too.
      if (recallable?.recalled) {
        void response?.body?.cancel().catch(() => undefined);
        return { response: undefined, attached, replay: session.afterUnauthorized(record!, context) };
      }
      if (tokens === null) return { response: response!, attached };
      response = this.#refuseRedirect(response!, exchange);
      const refreshable = first && attached.ownership !== 'theirs' && response.status === 401 && isRefreshable(response);
      if (!refreshable) return { response, attached };
      // Bounded: a body that has not ended by `replayBodyTimeoutMs` is given up.
      const copy = await body.copy();
      if (typeof copy === 'string') {
        this.#replaySkipped(copy, exchange);
        return { response, attached };
      }
      // The refresh starts (or is joined) first, so what is recalled finds it under way.
      const replay = session.afterUnauthorized(record!, context);
      const recalled = this.#recallable.recall(record!.generation);
      if (recalled > 0) this.#options.logger?.debug('requests-recalled', { generation: record!.generation, count: recalled });
      return { response, attached, replay };
    } finally {
      release();
    }
  }

  /**
   * Send with `tokens` attached, and with DPoP a proof of its own. A DPoP server that wants its
   * nonce in the proof (`use_dpop_nonce`, RFC 9449 §9) gets one more try with it, inside the same
   * send: it is not the request's replay, and no refresh.
   */
  async #fetch(exchange: Exchange, body: RequestBody, tokens: SessionTokens | null, signal: AbortSignal | undefined): Promise<Response> {
    const { selfOrigin, session } = this.#options;
    const { request } = exchange;
    if (tokens?.dpopKey === undefined) {
      return this.#network(authorizedRequest(request, await body.forSend(), tokens, selfOrigin, { signal }), exchange);
    }
    const attempt = async () => {
      const proof = (await session.proofFor(request.method, request.url, tokens))!;
      const sent = authorizedRequest(request, await body.forSend(), tokens, selfOrigin, { dpopProof: proof.proof, signal });
      return { proof, response: await this.#network(sent, exchange) };
    };
    // A body that was not kept (too large, still streaming) cannot go again: that answer stands.
    return session.dpop.exchange(request.url, attempt, async () => typeof (await body.copy()) !== 'string');
  }

  /**
   * `sent` to the network. A network error is what the page gets, as it would without the proxy;
   * a cross-origin one may be CORS refusing what the proxy added, which the browser does not tell
   * script, so the diagnosis finds out beside it (the page's request does not wait for that).
   */
  async #network(sent: Request, { context }: Exchange): Promise<Response> {
    try {
      return await this.#options.env.fetch(sent);
    } catch (error) {
      const probe = this.#options.cors?.failed(sent, error, 'the API');
      if (probe) context.keepAlive(probe);
      throw error;
    }
  }

  /**
   * A token-bearing request went out with `redirect: 'manual'`. A page that asked for manual
   * redirects gets the redirect as it asked; any other is refused (a network error, as with
   * `redirect: 'error'`), since following would carry the token to a URL nobody checked.
   */
  #refuseRedirect(response: Response, exchange: Exchange): Response {
    if (!isRedirect(response) || exchange.request.redirect === 'manual') return response;
    const { context } = exchange;
    void response.body?.cancel().catch(() => undefined);
    this.#options.logger?.debug('redirect-refused', { method: context.method, url: context.url });
    this.#options.onError(
      new RedirectRefusedError(
        `Failed to follow a redirect of ${context.method} ${context.url}: a protected request carries the access token, and a service worker cannot see where the redirect leads; answer protected URLs without redirects`,
      ),
    );
    return Response.error();
  }

  #replaySkipped(reason: ReplaySkipReason, { context }: Exchange): void {
    const { status, announce, logger } = this.#options;
    status.counters.replaysSkipped++;
    announce('replay-skipped', { method: context.method, url: context.url, reason, clientId: context.clientId });
    logger?.debug('replay-skipped', { method: context.method, url: context.url, reason });
  }

  /**
   * Replay a 401 (or a recalled send, which has no answer) with the tokens the session gives. When
   * it gives none the 401 goes back to the page, and a recalled send goes out as it first did,
   * for the answer it would have had.
   */
  async #replay(
    first: Response | undefined,
    decided: Promise<SessionTokens | null>,
    body: RequestBody,
    exchange: Exchange,
    sentWith: SessionTokens | null,
  ): Promise<Response> {
    const { status, logger } = this.#options;
    const tokens = await decided;
    if (tokens === null) return first ?? this.#resend(exchange, body, sentWith);
    // The 401's body is not needed any more; free its connection.
    first?.body?.cancel().catch(() => undefined);
    status.counters.replayed++;
    logger?.debug('replay', { method: exchange.context.method, url: exchange.context.url });
    return this.#resend(exchange, body, tokens);
  }

  /** A later send (a replay, a retry): never recalled, never replayed. */
  async #resend(exchange: Exchange, body: RequestBody, tokens: SessionTokens | null): Promise<Response> {
    const sent = await this.#send(exchange, body, { first: false }, async () => ({ tokens }));
    return sent.response!;
  }

  /**
   * Opt-in (`apiRetry`): an idempotent request answered 429 or 503 with a `Retry-After` the config
   * accepts is sent again after that delay, a bounded number of times, with the current token of
   * the session it was first sent in (never another session's: then the answer stands).
   *
   * @param sentWith `undefined` when the page's own Authorization header went out.
   */
  async #retryWhenAsked(response: Response, body: RequestBody, sentWith: SessionRecord | undefined, exchange: Exchange): Promise<Response> {
    const { config, status, logger, env, session } = this.#options;
    if (config.apiRetry === false) return response;
    for (let retry = 1; retry <= config.apiRetry.maxRetries && (response.status === 429 || response.status === 503); retry++) {
      const delay = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'), env.now());
      if (delay === null || delay > config.apiRetry.maxDelayMs || typeof (await body.copy()) === 'string') return response;
      logger?.debug('api-retry', {
        method: exchange.request.method,
        url: exchange.context.url,
        status: response.status,
        delayMs: delay,
        retry,
      });
      await env.sleep(delay, exchange.context.signal ?? undefined);
      const tokens = sentWith === undefined ? null : await session.tokensForResend(sentWith);
      if (tokens === undefined) return response;
      response.body?.cancel().catch(() => undefined);
      status.counters.apiRetries++;
      response = await this.#resend(exchange, body, tokens);
    }
    return response;
  }
}
