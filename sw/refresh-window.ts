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
  const ahead = leadTime(lifetime, fraction, minimumMs);
  const jitter = random() * Math.min(ahead / 2, half - ahead);
  return Math.round(expiresAt - ahead - jitter);
}

/**
 * The refresh window of a token that did not come on schedule: a login, or a refresh that needed
 * retries, a pause, or came after expiry. Such tokens arrive in step across a fleet (everyone logs
 * in again after a deploy; every session retries when the auth server recovers), and the narrow
 * window above would keep them in step for every refresh after. So the start is drawn uniformly
 * from 30 % of the lifetime to where the narrow window ends: one earlier refresh per login, and
 * the fleet is spread again (bench/README.md, "Fleet simulation", scenario b). Tokens refreshed on
 * schedule keep the narrow window: an already spread fleet stays spread.
 */
export function spreadRefreshStartsAt(
  issuedAt: number,
  expiresAt: number,
  random: () => number = Math.random,
  fraction = 0.1,
  minimumMs = 5_000,
): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const ahead = leadTime(lifetime, fraction, minimumMs);
  const from = issuedAt + lifetime * 0.3;
  const to = issuedAt + lifetime - ahead;
  return Math.round(from + random() * (to - from));
}

/** How far ahead of expiry a refresh starts, before jitter: `fraction` of the lifetime, at least `minimumMs`, at most half. */
function leadTime(lifetime: number, fraction: number, minimumMs: number): number {
  return Math.min(lifetime / 2, Math.max(minimumMs, lifetime * fraction));
}
