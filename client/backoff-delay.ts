/** The bounds of {@link backoffDelay}. */
export interface BackoffBounds {
  /** The ceiling of the first delay. */
  readonly initialDelayMs: number;
  /** The ceiling never grows past this. */
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from `[0, min(max, initial·2^n))`.
 * Full jitter rather than "exponential plus a little noise" because after a server restart every
 * client reconnects at once; spreading them over the whole window is what keeps the restarted
 * server up (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 *
 * @param failures reconnects already made since the last stable connection (0 for the first).
 * @param random a number in `[0, 1)`, `Math.random` in production.
 *
 * @example
 * ```ts
 * backoffDelay(3, { initialDelayMs: 1000, maxDelayMs: 16_000 }, Math.random); // somewhere in [0, 8000)
 * ```
 */
export function backoffDelay(failures: number, bounds: BackoffBounds, random: () => number): number {
  // 2 ** 31 is far past any cap; clamping the exponent keeps huge counts from becoming Infinity·0.
  const ceiling = Math.min(bounds.maxDelayMs, bounds.initialDelayMs * 2 ** Math.min(Math.max(failures, 0), 31));
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}
