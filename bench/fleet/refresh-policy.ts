/** What a worker does after an attempt of a refresh cycle failed transiently (network, timeout, 5xx, 429). */
export type FailureDecision =
  /** Try again in this cycle after `delayMs`. */
  | { kind: 'retry'; delayMs: number }
  /** The cycle gave up: no refresh until `pauseMs` from now; the session is kept. */
  | { kind: 'pause'; pauseMs: number }
  /** The client gives up on the session: the user is logged out. */
  | { kind: 'log-out' };

/** One worker's refresh behaviour, as the fleet simulation drives it. */
export interface RefreshPolicy {
  readonly id: string;
  /** Its name in the table and the chart. */
  readonly label: string;
  /**
   * When a request should start a refresh of a token issued at `issuedAt` and expiring at
   * `expiresAt` (both on the worker's clock). `onSchedule`: the token came from a refresh ahead of
   * expiry that succeeded at its first try with no failure before (not a login, not a recovery).
   */
  refreshStartsAt(issuedAt: number, expiresAt: number, onSchedule: boolean): number;
  /**
   * Attempt `attempt` (1-based) of a cycle failed transiently at `now`. `retryAfter` is the
   * answer's `Retry-After` header (`null` without one), `failedCycles` the cycles that failed in a
   * row before this one (reset by a refresh that succeeds), `tokenValidForMs` how long the token
   * still works (0 once expired: the cycle started after expiry), `failingForMs` the time since
   * the first failure of this run.
   */
  afterTransientFailure(failure: {
    attempt: number;
    retryAfter: string | null;
    now: number;
    failedCycles: number;
    tokenValidForMs: number;
    failingForMs: number;
  }): FailureDecision;
}
