/** How transient refresh failures are retried. */
export interface BackoffPolicy {
  /** First retry delay ceiling. */
  baseMs: number;
  /** No single retry waits longer than this (unless the server's Retry-After says so). */
  capMs: number;
  /** Attempts per logical refresh, the first included. */
  maxAttempts: number;
  /** After a cycle of attempts fails, refreshing pauses; repeated cycles widen the pause up to this. */
  maxCooldownMs: number;
}

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff And Jitter): a uniform delay between 0
 * and the exponential ceiling, so that many browsers retrying at once spread out instead of
 * arriving in waves.
 *
 * @param attempt the attempt that just failed, 1-based.
 */
export function retryDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * RFC 9110 §10.2.3 `Retry-After`: delay-seconds or an HTTP-date. An HTTP-date is the server's clock,
 * so it is measured against the same response's `Date` header, not against this browser's clock
 * (which may be minutes off). Returns milliseconds to wait, or `null` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, responseDate: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only an HTTP-date (IMF-fixdate or the obsolete RFC 850 form, both in GMT): Date.parse would
  // also read "-1" or "2.5" as dates in 2001, turning nonsense into "retry now".
  if (!/^[A-Za-z]{3},? .* GMT$/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  const serverNow = responseDate === null ? Number.NaN : Date.parse(responseDate);
  return Math.max(0, at - (Number.isNaN(serverNow) ? now : serverNow));
}

/** What a refresh cycle does after an attempt failed. */
export type AfterFailure =
  /** Try again within this cycle, after `delayMs`; requests waiting for the refresh keep waiting. */
  | { kind: 'retry'; delayMs: number }
  /** The cycle ends: no refresh for `pauseMs`, in any worker of the origin. */
  | { kind: 'pause'; pauseMs: number };

/** A failed attempt, as {@link afterFailedAttempt} weighs it. */
export interface FailedAttempt {
  /** The attempt of this cycle that failed, 1-based. */
  attempt: number;
  /** Transient (network, timeout, 5xx, 429): worth another try soon. */
  retryable: boolean;
  /** The answer's `Retry-After`, in ms (`parseRetryAfter`), or `null`. */
  retryAfterMs: number | null;
  /**
   * How much longer the current access token works: 0 when it has expired or the server rejected
   * it (requests are failing), the time to its expiry when this was a refresh ahead of it.
   */
  tokenValidForMs: number;
  /** Cycles that failed in a row before this one. */
  failedCycles: number;
  /** Since the first failure of this run of failures (0 for the first). */
  failingForMs: number;
}

/**
 * Retry or pause after a failed refresh attempt. Written for a fleet, not for one browser: after an
 * auth-server outage every session of every user is failing, and what comes back when it recovers
 * is the sum of these decisions (bench/README.md, "Fleet simulation", measured on 100,000 sessions).
 *
 * - **The token still works** (a refresh ahead of expiry failed): nothing waits for this refresh,
 *   so there is no burst of quick retries. Refreshing pauses for a random 0.5–1.5 of the token's
 *   remaining life: sessions that fail together come back spread over that time, not in step at
 *   the moment the server recovers. Past the expiry by at most `maxCooldownMs`, the longest a
 *   failing session waits anyway.
 * - **Requests are failing** (expired or rejected token): quick full-jitter retries within the
 *   cycle, up to `maxAttempts`, waiting at least what `Retry-After` asks and at most `capMs` (a
 *   `Retry-After` longer than `capMs` ends the cycle with it as the pause): requests wait for these.
 *   After that, a pause of 0.5–1.5 × the longer of the doubling cooldown and the time it has been
 *   failing, at most `maxCooldownMs` before jitter: each session's retry then spreads in
 *   proportion to how long the outage has lasted, whenever it began for that session.
 * - `Retry-After` is honoured with up to the same again on top (`RA × (1 + U)`): many clients told
 *   "10 s" at once would otherwise all return in the same second.
 *
 * Random draws, in this order: the Retry-After jitter (when there is one), then one for the
 * retry delay (while attempts remain), then one for the pause.
 */
export function afterFailedAttempt(failure: FailedAttempt, policy: BackoffPolicy, random: () => number = Math.random): AfterFailure {
  const retryAfter = failure.retryAfterMs === null ? null : Math.floor(failure.retryAfterMs * (1 + random()));
  const validFor = failure.tokenValidForMs;
  if (validFor > 2 * policy.baseMs) {
    const spread = Math.min(Math.floor(validFor * (0.5 + random())), validFor + policy.maxCooldownMs);
    return { kind: 'pause', pauseMs: Math.max(retryAfter ?? 0, spread) };
  }
  // A server asking for a longer wait than a retry may take gets it as the cycle's pause.
  if (failure.retryable && failure.attempt < policy.maxAttempts && (failure.retryAfterMs ?? 0) <= policy.capMs) {
    // Requests wait for this retry: the jitter on top of Retry-After stays within capMs here.
    const delayMs = Math.max(retryDelay(failure.attempt, policy, random), Math.min(retryAfter ?? 0, policy.capMs));
    return { kind: 'retry', delayMs };
  }
  const cooldown = Math.min(policy.maxCooldownMs, policy.baseMs * 5 * 2 ** failure.failedCycles);
  const base = Math.min(policy.maxCooldownMs, Math.max(cooldown, failure.failingForMs));
  return { kind: 'pause', pauseMs: Math.max(retryAfter ?? 0, Math.floor(base * (0.5 + random()))) };
}
