import { randomToken } from './random-token.js';

/** Refresh tokens live a day; access tokens are the short-lived part. */
export const REFRESH_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What presenting a refresh token led to. Only `rotated` carries a new token. */
export type RefreshOutcome =
  | {
      readonly kind: 'rotated';
      readonly familyId: string;
      readonly sub: string;
      readonly refreshToken: string;
      /** The DPoP key the family is bound to, if any. */
      readonly jkt?: string;
    }
  /** The token had been rotated already: someone replayed it, so its family is now revoked. */
  | { readonly kind: 'reused'; readonly familyId: string }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

/** A new family and its first refresh token. */
export interface StartedFamily {
  readonly familyId: string;
  readonly refreshToken: string;
}

/** How many families are live and how many are revoked, for `/demo/stats`. */
export interface FamilyCounts {
  readonly activeFamilies: number;
  readonly revokedFamilies: number;
}

interface FamilyRecord {
  readonly sub: string;
  revoked: boolean;
  /** RFC 9449 §5: the family's refresh tokens are bound to this DPoP key (its thumbprint). */
  readonly jkt?: string;
}

interface RefreshTokenRecord {
  readonly familyId: string;
  readonly expiresAt: number;
  rotated: boolean;
}

/**
 * Refresh-token families with rotation and reuse detection (OAuth 2.0 Security BCP §4.14.2): every
 * login starts a family; every refresh retires the presented token and hands out the next one;
 * presenting a retired token means two parties hold the family, so the whole family is revoked.
 *
 * Every method is synchronous on purpose: a refresh's check-and-rotate cannot interleave with a
 * concurrent one, which is exactly the race the worker under test must avoid causing.
 */
export class SessionStore {
  readonly #families = new Map<string, FamilyRecord>();
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Starts a family for `sub` (one per login or code exchange), bound to a DPoP key if `jkt`. */
  startFamily(sub: string, jkt?: string): StartedFamily {
    const familyId = randomToken();
    this.#families.set(familyId, { sub, revoked: false, ...(jkt === undefined ? {} : { jkt }) });
    return { familyId, refreshToken: this.#issueRefreshToken(familyId) };
  }

  /** Rotates a refresh token, or tells why it cannot be. */
  rotate(refreshToken: string): RefreshOutcome {
    const record = this.#refreshTokens.get(refreshToken);
    const family = record && this.#families.get(record.familyId);
    if (!record || !family) return { kind: 'unknown' };
    if (record.rotated) {
      family.revoked = true;
      return { kind: 'reused', familyId: record.familyId };
    }
    if (family.revoked) return { kind: 'revoked' };
    if (record.expiresAt <= this.#now()) return { kind: 'expired' };
    record.rotated = true;
    return {
      kind: 'rotated',
      familyId: record.familyId,
      sub: family.sub,
      refreshToken: this.#issueRefreshToken(record.familyId),
      ...(family.jkt === undefined ? {} : { jkt: family.jkt }),
    };
  }

  /** The family a refresh token (live or retired) belongs to. */
  familyOf(refreshToken: string): string | undefined {
    return this.#refreshTokens.get(refreshToken)?.familyId;
  }

  /**
   * The DPoP key a refresh token's family is bound to: `null` for an unbound family, `undefined`
   * for a token this store does not know.
   */
  bindingOf(refreshToken: string): string | null | undefined {
    const record = this.#refreshTokens.get(refreshToken);
    const family = record && this.#families.get(record.familyId);
    return family === undefined ? undefined : (family.jkt ?? null);
  }

  /** True if `value` is a refresh token this store handed out (used to keep it out of logs). */
  isRefreshToken(value: string): boolean {
    return this.#refreshTokens.has(value);
  }

  /**
   * Only a known, revoked family counts: another server sharing the JWT secret issues access tokens
   * for families this one never saw, and those stay valid here.
   */
  isRevoked(familyId: string): boolean {
    return this.#families.get(familyId)?.revoked === true;
  }

  /** Revokes one family. Returns false if it was unknown. */
  revokeFamily(familyId: string): boolean {
    const family = this.#families.get(familyId);
    if (!family) return false;
    family.revoked = true;
    return true;
  }

  /** Revokes every family (an admin ending all sessions). */
  revokeAll(): void {
    for (const family of this.#families.values()) family.revoked = true;
  }

  /** Forgets every family and token. */
  clear(): void {
    this.#families.clear();
    this.#refreshTokens.clear();
  }

  /** Live and revoked family counts. */
  counts(): FamilyCounts {
    let revokedFamilies = 0;
    for (const family of this.#families.values()) if (family.revoked) revokedFamilies += 1;
    return { activeFamilies: this.#families.size - revokedFamilies, revokedFamilies };
  }

  #issueRefreshToken(familyId: string): string {
    const token = randomToken();
    this.#refreshTokens.set(token, {
      familyId,
      expiresAt: this.#now() + REFRESH_TOKEN_LIFETIME_MS,
      rotated: false,
    });
    return token;
  }
}
