/**
 * The options of `installAuthProxy`, as the app writes them (`AuthProxyConfig`) and as the worker
 * uses them once `resolveConfig` has checked them (`ResolvedConfig`).
 */

/** An API origin that receives the access token, optionally only below some paths. */
export interface ProtectedOrigin {
  /** Scheme, host and port, nothing else: `"https://api.example.com"`, `"http://localhost:8080"`. */
  origin: string;
  /**
   * Only requests whose path starts with one of these (on a segment boundary: `/api` matches
   * `/api` and `/api/x`, not `/apiary`) get the token.
   * @default every path of the origin
   */
  pathPrefixes?: readonly string[];
}

/** Retries of transient refresh failures (network, 5xx, 429, timeout). */
export interface BackoffOptions {
  /**
   * Ceiling of the first retry's random delay; doubles per attempt ("full jitter").
   * @default 1000
   */
  baseMs?: number;
  /**
   * No retry within a cycle waits longer than this (a longer `Retry-After` ends the cycle with a pause).
   * @default 30000
   */
  capMs?: number;
  /**
   * Attempts per refresh cycle, the first included.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * After a cycle fails, refreshing pauses (no request is held meanwhile): 0.5–1.5 × the longer of
   * a cooldown doubling from `baseMs` × 5 per failed cycle and the time it has been failing, that
   * middle capped at this. A refresh ahead of expiry pauses past the expiry by at most this.
   * @default 60000
   */
  maxCooldownMs?: number;
}

/** Retries of idempotent API requests answered 429 or 503 with `Retry-After`. */
export interface ApiRetryOptions {
  /**
   * Only these methods are retried; a non-idempotent request is never retried (only the single
   * 401 replay).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']
   */
  methods?: readonly string[];
  /**
   * Retries per request.
   * @default 2
   */
  maxRetries?: number;
  /**
   * A `Retry-After` longer than this is not waited for; the response goes to the page.
   * @default 10000
   */
  maxDelayMs?: number;
}

/** What the worker does with the protected event streams (`text/event-stream`) it passes on. */
export interface EventStreamOptions {
  /**
   * A stream that delivers no bytes for this long while the page waits for them is ended by the
   * worker, as if the server had ended it, so the page's `EventSource` reconnects by itself
   * (after its `retry:` delay, through the worker, with the current token and the `Last-Event-ID`
   * the worker tracked). Any byte counts: events, comments (`: keep-alive`), `ping`s. Set it to
   * well over the server's heartbeat interval (twice is a good start): a stream whose server sends
   * nothing for longer is ended and reopened every time.
   */
  idleTimeoutMs: number;
}

/** When to refresh before expiry. */
export interface RefreshAheadOptions {
  /**
   * Share of the token's lifetime (never more than half of it).
   * @default 0.1
   */
  fraction?: number;
  /**
   * At least this long before expiry.
   * @default 5000
   */
  minMs?: number;
}

/** Sender-constrained tokens (RFC 9449). */
export interface DpopOptions {
  /**
   * The proof signature. ES256 alone for now: every DPoP server supports it and every engine's
   * WebCrypto signs it, with a key that cannot be exported.
   * @default 'ES256'
   */
  alg?: 'ES256';
}

/** Where the refresh token lives. The README's security model explains each. */
export type RefreshTokenStorage = 'indexeddb' | 'memory' | 'cookie';

/**
 * Everything security-relevant, fixed inside the served worker script. Nothing a page sends can
 * change it.
 */
export interface AuthProxyConfig {
  /**
   * The only places the access token is ever sent. Matched exactly on scheme, host and port:
   * `https://api.example.com` does not match `https://api.example.com.evil.test`, `:8443` or `http:`.
   */
  protectedOrigins: readonly (string | ProtectedOrigin)[];
  /**
   * Endpoints whose 2xx RFC 6749 §5.1 token responses are captured (login, OAuth code exchange).
   * Absolute, or relative to the worker script. Matched on origin and path; the query is ignored.
   */
  tokenEndpoints: readonly string[];
  /** Where the worker refreshes (RFC 6749 §6). Absolute, or relative to the worker script. */
  refreshEndpoint: string;
  /**
   * `client_id` sent with every refresh.
   * @default not sent
   */
  clientId?: string;
  /**
   * `scope` sent with every refresh.
   * @default not sent (the server keeps the original scope)
   */
  scope?: string;
  /**
   * `'form'` is RFC 6749 (`application/x-www-form-urlencoded`); `'json'` for APIs that want JSON.
   * @default 'form'
   */
  refreshBodyFormat?: 'form' | 'json';
  /**
   * `'indexeddb'` survives the worker stopping; `'memory'` is lost when it stops; `'cookie'` means
   * the server keeps it in an httpOnly cookie and the worker refreshes with `credentials: 'include'`.
   * @default 'indexeddb'
   */
  refreshTokenStorage?: RefreshTokenStorage;
  /**
   * Bind the tokens to a key only this worker can use (RFC 9449 DPoP): it signs a proof for every
   * token endpoint request and every protected request, so a token read out of the browser is
   * useless anywhere else. The key is non-extractable, kept in IndexedDB, one per session. The
   * server must issue `token_type: DPoP`; a Bearer token is then refused, never used unbound.
   * @default false
   */
  dpop?: boolean | DpopOptions;
  /**
   * Hand the real access token to the page in token responses instead of an opaque placeholder.
   * The refresh token is never handed over.
   * @default false
   */
  exposeAccessToken?: boolean;
  /**
   * Request bodies up to this size are buffered so a 401 can be replayed byte for byte; larger ones
   * are sent once and a 401 is returned as it is (with a `replay-skipped` event).
   * @default 10485760 (10 MiB)
   */
  maxReplayBodyBytes?: number;
  /**
   * A request goes out with its own body at once; a copy is read beside it for a replay. A body
   * that has not ended this long after the request began (a stream the page keeps open) is not
   * kept: its 401 is returned as it is, with a `replay-skipped` event (`body-streaming`). A worker
   * cannot tell a stream body from a Blob but by reading it, and must not wait forever to find out.
   * @default 2000
   */
  replayBodyTimeoutMs?: number;
  /**
   * RFC 7009 revocation endpoint, called by `logout({ revoke: true })`.
   * @default none
   */
  revocationEndpoint?: string;
  /**
   * Called with `POST` and `credentials: 'include'` on logout, e.g. to clear a refresh cookie.
   * @default none
   */
  logoutEndpoint?: string;
  /**
   * A refresh that has not answered by then fails, and its waiting requests get their 401.
   * @default 30000
   */
  refreshTimeoutMs?: number;
  /**
   * Send an `Idempotency-Key` header with each refresh, the same on every retry of it (also after
   * the worker restarted). A server that honours it can answer a retried refresh whose first try
   * it already rotated with that same result, instead of seeing a reused refresh token and
   * revoking the session. On another origin the header needs CORS permission
   * (`Access-Control-Allow-Headers: Idempotency-Key`), hence the default.
   * @default true when the refresh endpoint is on the worker's origin, false otherwise
   */
  refreshIdempotencyKey?: boolean;
  /**
   * Retries of transient refresh failures, and the pause after a cycle of them fails.
   * @default { baseMs: 1000, capMs: 30000, maxAttempts: 5, maxCooldownMs: 60000 }
   */
  backoff?: BackoffOptions;
  /**
   * Refresh before expiry, triggered by the next protected request inside the window or by a tab
   * becoming visible (never by a timer: a worker sleeps). `false` refreshes only on 401.
   * @default { fraction: 0.1, minMs: 5000 }
   */
  refreshAhead?: RefreshAheadOptions | false;
  /**
   * Requests waiting for a refresh beyond this many are answered at once (with their 401, or sent
   * with the current token) instead of piling up.
   * Requests that waited for a network slot when the refresh began wait without counting. The
   * default is twice what Chromium lets one process have outstanding (about 2,000, after which it
   * fails fetches with `net::ERR_INSUFFICIENT_RESOURCES`), so a storm the browser can make is
   * answered with one refresh, and only a runaway loop during a hung refresh meets the cap.
   * @default 4000
   */
  maxWaitingRequests?: number;
  /**
   * Retry idempotent requests answered 429/503 with `Retry-After`. Off unless given.
   * @default false
   */
  apiRetry?: ApiRetryOptions | boolean;
  /**
   * A watchdog for protected event streams: an `EventSource` whose connection died without a
   * close (a proxy, a sleeping laptop, a network switch, a stuck server) otherwise stays open and
   * silent for ever. Off unless given, because only the app knows how often its server speaks: a
   * quiet stream is valid, and a default shorter than its silences would reconnect it for nothing.
   * @default false
   */
  eventStreams?: EventStreamOptions | false;
  /**
   * The BroadcastChannel the worker announces on; the client must use the same one.
   * @default 'sw-auth-proxy'
   */
  channelName?: string;
  /**
   * The IndexedDB database holding the session.
   * @default 'sw-auth-proxy'
   */
  databaseName?: string;
  /**
   * Allow `http:` protected origins and endpoints on hosts other than loopback. Tokens sent over
   * plain HTTP can be read by anyone on the path.
   * @default false
   */
  allowInsecureHttp?: boolean;
}

/** The validated config: URLs parsed, defaults applied. */
export interface ResolvedConfig {
  /** origin → path prefixes, or `null` for every path. */
  readonly protectedOrigins: ReadonlyMap<string, readonly string[] | null>;
  /** `origin + pathname` of each token endpoint. */
  readonly tokenEndpoints: ReadonlySet<string>;
  readonly refreshEndpoint: string;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  readonly refreshBodyFormat: 'form' | 'json';
  readonly refreshTokenStorage: RefreshTokenStorage;
  readonly exposeAccessToken: boolean;
  readonly dpop: Required<DpopOptions> | false;
  readonly maxReplayBodyBytes: number;
  readonly replayBodyTimeoutMs: number;
  readonly revocationEndpoint: string | undefined;
  readonly logoutEndpoint: string | undefined;
  readonly refreshTimeoutMs: number;
  readonly refreshIdempotencyKey: boolean;
  readonly backoff: Required<BackoffOptions>;
  readonly refreshAhead: Required<RefreshAheadOptions> | false;
  readonly maxWaitingRequests: number;
  readonly apiRetry: { methods: ReadonlySet<string>; maxRetries: number; maxDelayMs: number } | false;
  readonly eventStreams: Readonly<EventStreamOptions> | false;
  readonly channelName: string;
  readonly databaseName: string;
}
