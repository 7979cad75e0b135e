import type { ResolvedConfig } from './config.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { PLACEHOLDER_PREFIX, type BroadcastEventMap, type BroadcastType } from './protocol.js';
import type { ProxyStatus } from './proxy-status.js';
import type { Refresher } from './refresher.js';
import { readReplayableBody, type ReplayableBody } from './replayable-body.js';
import { captureTokenResponse } from './token-capture.js';
import { hashToken, type SessionTokens, type TokenStore } from './token-store.js';

export interface FetchHandlerOptions {
  config: ResolvedConfig;
  isProtected: (url: URL) => boolean;
  /** The worker's own origin: same-origin no-cors requests are upgraded differently. */
  selfOrigin: string;
  store: TokenStore;
  refresher: Refresher;
  status: ProxyStatus;
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
  onError: (error: AuthProxyError) => void;
}

/** What the page's own Authorization header means to the proxy. */
type AppAuthorization = 'none' | 'ours' | 'theirs';

/** RFC 6750 §3: a 401 the proxy may fix by refreshing, as opposed to some other scheme's 401. */
function isRefreshable(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate');
  return challenge === null || /\bBearer\b[^]*\berror\s*=\s*"?invalid_token"?/i.test(challenge);
}

/**
 * Answers the requests the proxy is responsible for: token endpoints (capture) and protected API
 * requests (attach, and on a 401 refresh and replay once). Every other request is left alone, not
 * even `respondWith`, so other fetch listeners (Workbox routes) and the browser handle it.
 */
export class FetchHandler {
  readonly #options: FetchHandlerOptions;

  constructor(options: FetchHandlerOptions) {
    this.#options = options;
  }

  /** The `fetch` event listener. */
  readonly handleEvent = (event: FetchEvent): void => {
    const request = event.request;
    // Navigations carry no bearer token (a page load is not an API call) and must never break.
    if (request.mode === 'navigate') return;
    const url = new URL(request.url);
    const { config, isProtected } = this.#options;
    if (request.method === 'POST' && config.tokenEndpoints.has(url.origin + url.pathname)) {
      event.respondWith(captureTokenResponse(request, this.#options));
    } else if (isProtected(url)) {
      event.respondWith(this.#proxy(request, url, event.clientId || event.resultingClientId));
    }
  };

  async #proxy(request: Request, url: URL, clientId: string): Promise<Response> {
    const { store, refresher, status, config } = this.#options;
    status.counters.requests++;
    status.pendingRequests++;
    try {
      let record = await store.load();
      // A refresh is under way: wait for it rather than spend a round trip on a certain 401.
      const pending = refresher.inFlight;
      if (pending) {
        const result = await pending;
        if (result.ok) record = result.record;
        else record = await store.load();
      }
      const body = await readReplayableBody(request, config.maxReplayBodyBytes);
      const ownership = await this.#appAuthorization(request, record.tokens);
      const first = await fetch(this.#authorize(request, body, ownership === 'theirs' ? null : record.tokens));

      if (first.status !== 401 || ownership === 'theirs' || record.tokens === null || !isRefreshable(first)) {
        return first;
      }
      if (typeof body === 'string') {
        status.counters.replaysSkipped++;
        this.#options.announce('replay-skipped', { method: request.method, url: url.origin + url.pathname, reason: body, clientId });
        return first;
      }
      const result = await refresher.refresh(record.generation);
      if (!result.ok) return first;
      // The 401's body is not needed any more; free its connection.
      first.body?.cancel().catch(() => undefined);
      status.counters.replayed++;
      return await fetch(this.#authorize(request, body, result.record.tokens));
    } finally {
      status.pendingRequests--;
    }
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
