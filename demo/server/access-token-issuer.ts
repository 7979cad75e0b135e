import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { REFRESH_TOKEN_LIFETIME_MS } from './session-store.js';

/** The claims of a demo access token. */
export interface AccessTokenClaims {
  /** The username. */
  readonly sub: string;
  /** The refresh-token family the token was issued from. */
  readonly sid: string;
  readonly jti: string;
  /** Seconds, RFC 7519 NumericDate. */
  readonly iat: number;
  /** Seconds, `iat + accessTokenTtl`. */
  readonly exp: number;
  /**
   * Issue time in milliseconds. `iat` has one-second resolution, too coarse to tell a token minted
   * just before `POST /demo/expire` from one minted just after it. Only ever compared with other
   * `iat_ms`: after the clock was shifted back it can run ahead of the clock to stay in order.
   */
  readonly iat_ms: number;
  /** RFC 9449 §6: the DPoP key the token is bound to (`cnf.jkt`); absent for a bearer token. */
  readonly jkt?: string;
}

/** What {@link AccessTokenIssuer} needs. */
export interface AccessTokenIssuerOptions {
  readonly secret: Uint8Array;
  readonly ttlSeconds: number;
  readonly now: () => number;
}

const ALGORITHM = 'HS256';

/**
 * Signs and checks HS256 access tokens (jose), and can invalidate every token issued so far while
 * leaving refresh tokens alone: that is how the demo models "the access token expired" without
 * making a test wait for `exp`.
 */
export class AccessTokenIssuer {
  readonly #secret: Uint8Array;
  readonly #ttlSeconds: number;
  readonly #now: () => number;
  /** Tokens with `iat_ms` at or below this were issued before the last invalidation. */
  #cutoffMs = Number.NEGATIVE_INFINITY;
  #lastIssuedMs = Number.NEGATIVE_INFINITY;

  constructor(options: AccessTokenIssuerOptions) {
    this.#secret = options.secret;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now;
  }

  /** Lifetime in seconds, for `expires_in`. */
  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /** Signs a token for `sub` in family `sid`, bound to the DPoP key `jkt` if given. */
  async issue(sub: string, sid: string, jkt?: string): Promise<string> {
    // Strictly after the cutoff even within the same millisecond, so a refresh right after
    // /demo/expire always yields a usable token.
    const issuedAtMs = Math.max(this.#now(), this.#cutoffMs + 1);
    this.#lastIssuedMs = Math.max(this.#lastIssuedMs, issuedAtMs);
    // From the clock, not from `issuedAtMs`: once the clock was shifted back (POST /demo/clock, or
    // the reset undoing a shift), the cutoff can be ahead of it and `exp` would move out with it.
    const iat = Math.floor(this.#now() / 1000);
    return new SignJWT({ sid, iat_ms: issuedAtMs, ...(jkt === undefined ? {} : { cnf: { jkt } }) })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'at+jwt' })
      .setSubject(sub)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#ttlSeconds)
      .sign(this.#secret);
  }

  /**
   * The claims if the signature is good, the token has not expired and it was issued after the
   * last {@link invalidateIssued}; otherwise undefined. Family revocation is the caller's check.
   */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    const claims = await this.#verify(token, 0);
    return claims && claims.iat_ms > this.#cutoffMs ? claims : undefined;
  }

  /**
   * The claims if only the signature is good (expired and invalidated tokens included, up to a
   * refresh token's lifetime): enough to find the family to revoke on logout or RFC 7009.
   */
  async verifySignature(token: string): Promise<AccessTokenClaims | undefined> {
    return this.#verify(token, REFRESH_TOKEN_LIFETIME_MS / 1000);
  }

  /**
   * True while a token with these claims would still pass {@link verify}'s time checks: not past
   * `exp` and issued after the last {@link invalidateIssued}. For long-lived things bound to one
   * token (an event stream, a WebSocket) that must end when it does.
   */
  isCurrent(claims: Pick<AccessTokenClaims, 'exp' | 'iat_ms'>): boolean {
    // jose rejects a token once `exp <= floor(now / 1000)`, which is `exp * 1000 <= now`.
    return claims.exp * 1000 > this.#now() && claims.iat_ms > this.#cutoffMs;
  }

  /** Every token issued so far stops being valid; tokens issued from now on are unaffected. */
  invalidateIssued(): void {
    this.#cutoffMs = Math.max(this.#now(), this.#lastIssuedMs, this.#cutoffMs);
  }

  async #verify(token: string, clockToleranceSeconds: number): Promise<AccessTokenClaims | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#secret, {
        algorithms: [ALGORITHM],
        currentDate: new Date(this.#now()),
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp', 'iat_ms'],
      }));
    } catch {
      // Malformed, forged and expired tokens are all simply "not valid" to a resource server.
      return undefined;
    }
    const { sub, sid, jti, iat, exp, iat_ms, cnf } = payload;
    const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      typeof iat_ms !== 'number' ||
      (jkt !== undefined && typeof jkt !== 'string')
    ) {
      return undefined;
    }
    return { sub, sid, jti, iat, exp, iat_ms, ...(jkt === undefined ? {} : { jkt }) };
  }
}
