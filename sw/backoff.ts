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
 * The pause after the `cycle`-th failed cycle in a row: doubling from 5 s (or `baseMs` × 5) up to
 * `maxCooldownMs`, with the lower half fixed so the pause really is a pause ("equal jitter").
 */
export function cooldownDelay(cycle: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const full = Math.min(policy.maxCooldownMs, policy.baseMs * 5 * 2 ** (cycle - 1));
  return Math.floor(full / 2 + random() * (full / 2));
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
