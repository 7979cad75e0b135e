import { TokenResponseError } from './errors/token-response-error.js';

/** The parts of an RFC 6749 §5.1 token response the proxy keeps. */
export interface TokenSet {
  accessToken: string;
  /** `null` when the server did not send one (cookie mode, or no rotation on refresh). */
  refreshToken: string | null;
  /** When the worker received it (its own clock). */
  issuedAt: number;
  /** Epoch milliseconds by the worker's clock, or `null` when the lifetime is unknown. */
  expiresAt: number | null;
  scope: string | null;
  /** The server's clock minus the worker's, from the response's `Date` header (0 without one). */
  serverTimeOffsetMs: number;
}

/** The server's clock minus ours, from an HTTP `Date` header (one-second resolution). */
export function serverTimeOffset(dateHeader: string | null, now: number): number {
  const serverNow = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
  return Number.isNaN(serverNow) ? 0 : serverNow - now;
}

/**
 * Read a parsed JSON token response. Throws `TokenResponseError` saying which field is wrong; the
 * message never quotes a value, since the values are tokens.
 *
 * Expiry: `expires_in` is relative, so it is counted from the moment the worker received the
 * response, which no clock skew between browser and server can disturb (an absolute `exp` read
 * against a browser clock 10 minutes off would either storm or expire early). Without
 * `expires_in` the lifetime is unknown and the proxy refreshes on 401 only.
 */
export function parseTokenResponse(
  body: unknown,
  now: number,
  dateHeader: string | null = null,
  tokenType: 'Bearer' | 'DPoP' = 'Bearer',
): TokenSet {
  const fail = (reason: string): never => {
    throw new TokenResponseError(`Failed to read the token response: ${reason}`);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('it is neither a JSON object nor form-encoded');
  const json = body as Record<string, unknown>;

  const accessToken = json['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') fail('`access_token` is missing or not a string');

  // RFC 6749 §7.1: the type is compared case-insensitively. For bearer tokens a missing type is
  // tolerated because several popular servers omit it; any other type (DPoP, MAC) is not a bearer
  // token and must not be sent as one. With DPoP on, only a DPoP-bound token will do (RFC 9449
  // §5): a bearer one would be usable by anyone who reads it, a silent downgrade.
  const type = json['token_type'];
  const typeMatches = typeof type === 'string' && type.toLowerCase() === tokenType.toLowerCase();
  if (!typeMatches && (tokenType === 'DPoP' || type !== undefined)) {
    fail(
      tokenType === 'DPoP'
        ? '`token_type` is not "DPoP": `dpop` is on, and the server did not bind the token to the key'
        : '`token_type` is not "Bearer" (sender-constrained tokens need the `dpop` option)',
    );
  }

  const refreshToken = json['refresh_token'];
  if (refreshToken !== undefined && refreshToken !== null && (typeof refreshToken !== 'string' || refreshToken === '')) {
    fail('`refresh_token` is not a string');
  }

  // Some servers send `expires_in` as a numeric string.
  const rawExpiresIn = json['expires_in'];
  let expiresAt: number | null = null;
  if (rawExpiresIn !== undefined && rawExpiresIn !== null) {
    const expiresIn = typeof rawExpiresIn === 'string' ? Number(rawExpiresIn) : rawExpiresIn;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      fail('`expires_in` is not a non-negative number of seconds');
    }
    expiresAt = now + (expiresIn as number) * 1000;
  }

  const serverTimeOffsetMs = serverTimeOffset(dateHeader, now);
  const scope = json['scope'];
  return {
    accessToken: accessToken as string,
    refreshToken: typeof refreshToken === 'string' ? refreshToken : null,
    issuedAt: now,
    expiresAt,
    scope: typeof scope === 'string' ? scope : null,
    serverTimeOffsetMs,
  };
}
