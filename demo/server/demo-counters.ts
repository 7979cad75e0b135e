/**
 * What the server has seen since start or the last `POST /demo/reset`. Tests assert on these
 * ("N tabs, one refresh") instead of on timing.
 */
export interface DemoCounters {
  /** Every `/api/*` request received, whatever the outcome (CORS preflights excluded). */
  apiCalls: number;
  /** `/api/*` requests answered 401. */
  unauthorized: number;
  /** `POST /auth/login` calls, successful or not. */
  loginCalls: number;
  /** Token-endpoint calls with `grant_type=refresh_token`, successful or not, faulted ones included. */
  refreshCalls: number;
  /**
   * The same calls as `refreshCalls`, counted at the same point (on arrival, before any fault):
   * the two never differ. The name the fault suite reads, next to `GET /demo/refresh-log`.
   */
  refreshAttempts: number;
  /** Requests a queued fault (`POST /demo/faults`) was applied to, delay-only faults included. */
  faultsInjected: number;
  /** Rotated refresh tokens presented again (each revoked its family). */
  reuseDetected: number;
  /** Refresh retries answered with the result of the refresh that first carried their `Idempotency-Key`. */
  idempotentReplays: number;
  /** Token-endpoint calls with `grant_type=authorization_code`, successful or not. */
  authorizationCodeExchanges: number;
  /** Refreshes refused because the proof was not of the key the refresh token is bound to (RFC 9449 §5). */
  dpopBindingRefusals: number;
  /** `/api/*` requests refused because a DPoP-bound token came without a good proof of its key. */
  dpopApiRefusals: number;
  /** `POST /auth/logout` calls. */
  logoutCalls: number;
  /** `POST /oauth/revoke` calls. */
  revocations: number;
  /**
   * CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) on any path. Kept apart from
   * `apiCalls` because the browser sends them, not the code under test.
   */
  preflights: number;
  /** `POST /api/ws-ticket` calls that handed out a ticket. */
  wsTicketsIssued: number;
  /** WebSocket connections accepted with a good credential. */
  wsConnections: number;
  /** WebSocket handshakes whose credential was refused (missing, unknown, used, expired): closed with 4401. */
  wsTicketRefusals: number;
  /** WebSocket upgrades refused outright (503 while the WebSocket side is down). */
  wsUpgradesRejected: number;
  /** Open WebSockets the server closed with 4401 because their session ended. */
  wsAuthCloses: number;
  /** WebSocket messages received (each one is echoed). */
  wsMessages: number;
  /** Event streams that went silent on purpose (`GET /api/events?stallAfter=`). */
  eventStreamsStalled: number;
  /** Of those, the ones the other side closed (the server itself never does). */
  stalledStreamsClosed: number;
}

/** All counters at zero. */
export function createDemoCounters(): DemoCounters {
  return {
    apiCalls: 0,
    unauthorized: 0,
    loginCalls: 0,
    refreshCalls: 0,
    refreshAttempts: 0,
    faultsInjected: 0,
    reuseDetected: 0,
    idempotentReplays: 0,
    authorizationCodeExchanges: 0,
    dpopBindingRefusals: 0,
    dpopApiRefusals: 0,
    logoutCalls: 0,
    revocations: 0,
    preflights: 0,
    wsTicketsIssued: 0,
    wsConnections: 0,
    wsTicketRefusals: 0,
    wsUpgradesRejected: 0,
    wsAuthCloses: 0,
    wsMessages: 0,
    eventStreamsStalled: 0,
    stalledStreamsClosed: 0,
  };
}
