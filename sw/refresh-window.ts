/**
 * When to refresh ahead of expiry: 10 % of the token's lifetime, at least 5 s, never more than half
 * the lifetime; plus a random extra of up to half that again (still within half the lifetime), so
 * that many browsers whose tokens were issued together do not all refresh in the same second.
 *
 * Both times are on this worker's clock. Expiry comes from `expires_in`, which is relative, so a
 * browser clock that is minutes off does not move it.
 *
 * @returns the time from which a request (or a tab becoming visible) should start a refresh.
 */
export function refreshStartsAt(
  issuedAt: number,
  expiresAt: number,
  random: () => number = Math.random,
  fraction = 0.1,
  minimumMs = 5_000,
): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const half = lifetime / 2;
  const ahead = Math.min(half, Math.max(minimumMs, lifetime * fraction));
  const jitter = random() * Math.min(ahead / 2, half - ahead);
  return Math.round(expiresAt - ahead - jitter);
}
