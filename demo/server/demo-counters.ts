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
  /** Token-endpoint calls with `grant_type=refresh_token`, successful or not. */
  refreshCalls: number;
  /** Rotated refresh tokens presented again (each revoked its family). */
  reuseDetected: number;
  /** Token-endpoint calls with `grant_type=authorization_code`, successful or not. */
  authorizationCodeExchanges: number;
  /** `POST /auth/logout` calls. */
  logoutCalls: number;
  /** `POST /oauth/revoke` calls. */
  revocations: number;
  /**
   * CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) on any path. Kept apart from
   * `apiCalls` because the browser sends them, not the code under test.
   */
  preflights: number;
}

/** All counters at zero. */
export function createDemoCounters(): DemoCounters {
  return {
    apiCalls: 0,
    unauthorized: 0,
    loginCalls: 0,
    refreshCalls: 0,
    reuseDetected: 0,
    authorizationCodeExchanges: 0,
    logoutCalls: 0,
    revocations: 0,
    preflights: 0,
  };
}
