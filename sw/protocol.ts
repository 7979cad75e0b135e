/**
 * The wire protocol between the page (`client/`) and the service worker (`sw/`).
 *
 * Two channels, one direction each:
 * - page → SW: `postMessage` to the controlling worker with a reply `MessagePort`. A BroadcastChannel
 *   message does not wake a stopped worker; a `postMessage` does.
 * - SW → every page: one `BroadcastChannel`, so every tab hears the same story at the same time.
 *
 * Nothing here carries a token. This file is shared by both sides, so it may use neither the DOM nor
 * the WebWorker library.
 */

/** Bumped when a message changes shape; the handshake compares it. */
export const PROTOCOL_VERSION = 1;

/** Tags every message so that unrelated `postMessage` traffic is ignored by both sides. */
export const MESSAGE_SOURCE = 'sw-auth-proxy';

/** The BroadcastChannel name unless the config says otherwise. */
export const DEFAULT_CHANNEL_NAME = 'sw-auth-proxy';

/**
 * Prefix of the opaque value handed to pages in place of the access token. A request that carries
 * `Authorization: Bearer <placeholder>` gets the real token instead.
 */
export const PLACEHOLDER_PREFIX = 'sw-auth-proxy.';

/** An error as it crosses the boundary; the receiving side rebuilds the class from `name`. */
export interface WireError {
  name: string;
  message: string;
}

export type AuthState = 'anonymous' | 'authenticated' | 'refreshing' | 'backoff' | 'expired';

export interface AuthCounters {
  /** Protected requests the worker handled. */
  requests: number;
  /** Requests replayed after a 401 and a refresh. */
  replayed: number;
  /** Refresh calls made to the server. */
  refreshes: number;
  /** Refresh calls that failed. */
  refreshFailures: number;
  /** Idempotent requests retried after 429/503 with Retry-After (when `apiRetry` is on). */
  apiRetries: number;
  /** 401s returned as they were because the body could not be replayed. */
  replaysSkipped: number;
  /** Event streams the worker ended because they went silent (`eventStreams.idleTimeoutMs`). */
  eventStreamsStalled: number;
}

/**
 * Where the session engine of a tab runs: in the service worker, or in the page itself where no
 * worker can control it (`fallback: 'page'`).
 */
export type ProxyMode = 'worker' | 'page';

/** What `AuthProxy.status()` returns, answered by the worker (or the page engine). */
export interface AuthStatus {
  mode: ProxyMode;
  state: AuthState;
  /** A token is stored and, by the worker's clock, not yet expired. */
  hasValidToken: boolean;
  /** Epoch milliseconds, or `null` when unknown or logged out. */
  expiresAt: number | null;
  /** Bumped by every login and refresh; `0` before the first. */
  generation: number;
  /** Protected requests the worker is answering right now. */
  pendingRequests: number;
  lastRefreshAt: number | null;
  /** While in `backoff`: when refreshing may start again (epoch ms). */
  refreshBlockedUntil: number | null;
  /** When a request or a visible tab will start a proactive refresh (epoch ms). */
  refreshAt: number | null;
  /** The server's clock minus this browser's, from the `Date` header of the last token response. */
  serverTimeOffsetMs: number;
  /**
   * With DPoP: the RFC 7638 thumbprint of the key the session is bound to (what the server has as
   * `cnf.jkt`; a hash of the public key, no secret). `null` for bearer tokens or no session.
   */
  dpopThumbprint: string | null;
  debug: boolean;
  lastError: WireError | null;
  counters: AuthCounters;
  /** The worker's package version. */
  version: string;
}

/** page → SW requests and what each one answers. */
export interface RequestMap {
  /** The handshake: the page says hello, the worker claims it and answers with its version. */
  hello: {
    request: { clientVersion: string; protocol: number };
    /**
     * `logoutTimeoutMs`: the longest this worker takes to answer `logout` (it waits for a refresh
     * attempt under way, then for the server), on top of the page's own command timeout.
     */
    response: { version: string; protocol: number; clientId: string; logoutTimeoutMs: number };
  };
  status: { request: null; response: AuthStatus };
  /** Forget the tokens in every tab; `revoke` also tells the server (RFC 7009) when configured. */
  logout: { request: { revoke: boolean }; response: { revoked: boolean } };
  /** Switch the worker's debug log (kept across worker restarts). */
  'set-debug': { request: { enabled: boolean }; response: { enabled: boolean } };
  /** A tab became visible: refresh now if the token is inside its refresh window. */
  visible: { request: null; response: { refreshing: boolean } };
  /**
   * The RFC 7638 thumbprint of the DPoP key the next login will be bound to (the `dpop_jkt` of an
   * authorization request, RFC 9449 §10), drawn now if needed; `null` without `dpop`. Public: a
   * hash of the public key.
   */
  'dpop-thumbprint': { request: null; response: { thumbprint: string | null } };
}

export type RequestType = keyof RequestMap;

export type ClientRequest = {
  [K in RequestType]: { source: typeof MESSAGE_SOURCE; type: K; payload: RequestMap[K]['request'] };
}[RequestType];

export type Reply<K extends RequestType = RequestType> =
  { ok: true; type: K; payload: RequestMap[K]['response'] } | { ok: false; type: K; error: WireError };

/** What started a refresh. `url` never has a query string. */
export interface RefreshTrigger {
  kind: 'unauthorized' | 'expired' | 'proactive' | 'visible';
  clientId: string | null;
  method: string | null;
  url: string | null;
}

/**
 * Why a refresh attempt failed without ending the session. `store-unavailable`: the session store
 * cannot be written, so the rotated refresh token could not be kept past this worker's life; the
 * refresh token is not spent until it can.
 */
export type RefreshFailureReason = 'network' | 'timeout' | 'server-error' | 'rate-limited' | 'malformed-response' | 'store-unavailable';

/** Why a refresh ended the session. */
export type SessionEndReason = 'invalid_grant' | 'refresh-rejected' | 'no-refresh-token';

/**
 * Why a 401 was handed back without a replay: the body passed `maxReplayBodyBytes`, had not ended
 * within `replayBodyTimeoutMs` (a stream the page keeps open), or could not be read.
 */
export type ReplaySkipReason = 'body-too-large' | 'body-streaming' | 'body-unreadable';

/** SW → page events, broadcast to every tab. */
export interface BroadcastEventMap {
  'logged-in': { generation: number; expiresAt: number | null };
  /** A refresh cycle began (it may make several attempts). */
  'refresh-started': { refreshId: string; trigger: RefreshTrigger; fromGeneration: number; at: number };
  /**
   * A new token is stored. `waiters` counts the requests that waited for this refresh; the other
   * fields describe the refresh cycle that produced it.
   */
  'token-refreshed': {
    generation: number;
    expiresAt: number | null;
    refreshId: string;
    trigger: RefreshTrigger;
    attempts: number;
    waiters: number;
    durationMs: number;
  };
  /**
   * One refresh attempt failed and the session goes on. `final` means this cycle gave up and
   * refreshing pauses until `retryAt`; otherwise the next attempt is at `retryAt`.
   */
  'refresh-failed': {
    refreshId: string;
    reason: RefreshFailureReason;
    status: number | null;
    attempt: number;
    final: boolean;
    retryAt: number | null;
    waiters: number;
    error: WireError;
  };
  'session-expired': { reason: SessionEndReason; refreshId: string | null };
  'state-changed': { state: AuthState; previous: AuthState };
  'logged-out': { revoked: boolean };
  /**
   * A 401 reached the page because its request could not be replayed. `url` has no query string;
   * `clientId` is the tab whose request it was.
   */
  'replay-skipped': { method: string; url: string; reason: ReplaySkipReason; clientId: string };
  /**
   * The worker ended a protected event stream that delivered nothing for `idleMs` (the
   * `eventStreams.idleTimeoutMs` of its config); the page's EventSource reconnects by itself.
   * `url` has no query string; `clientId` is the tab whose stream it was.
   */
  'event-stream-stalled': { url: string; idleMs: number; clientId: string };
  /** Something failed inside the worker; requests were still answered. */
  error: WireError;
  /** Too many requests were waiting for a refresh; this one was answered without waiting. */
  'queue-full': { waiting: number; limit: number };
}

export type BroadcastType = keyof BroadcastEventMap;

export type BroadcastMessage = {
  [K in BroadcastType]: { source: typeof MESSAGE_SOURCE; type: K; payload: BroadcastEventMap[K] };
}[BroadcastType];

/**
 * Recognises a broadcast of ours among whatever else is posted on the channel (the client checks
 * what it hears from the worker, the worker what it hears from other workers of the origin).
 */
export function isBroadcastMessage(data: unknown): data is BroadcastMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { source?: unknown }).source === MESSAGE_SOURCE &&
    typeof (data as { type?: unknown }).type === 'string' &&
    typeof (data as { payload?: unknown }).payload === 'object' &&
    (data as { payload?: unknown }).payload !== null
  );
}

/** For `switch` statements over the unions above: a new member fails to compile until handled. */
export function assertNever(value: never): never {
  throw new TypeError(`Unexpected message: ${JSON.stringify(value)}`);
}
