import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from './random-token.js';

/** RFC 6749 §4.1.2 recommends at most ten minutes; a minute is plenty for a redirect. */
export const AUTHORIZATION_CODE_LIFETIME_MS = 60 * 1000;

/** What `/oauth/authorize` bound a code to. */
export interface AuthorizationGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly sub: string;
  /** RFC 7636 S256 challenge; absent if the client did not use PKCE. */
  readonly codeChallenge?: string;
}

/** What the token endpoint presents when redeeming a code. */
export interface CodeRedemption {
  readonly clientId: string | undefined;
  readonly redirectUri: string | undefined;
  readonly codeVerifier: string | undefined;
}

/** The result of {@link AuthorizationCodeStore.redeem}. */
export type RedeemOutcome =
  | { readonly kind: 'redeemed'; readonly sub: string }
  /**
   * `familyId` is set when a used code comes back: RFC 6749 §4.1.2 says the tokens issued from it
   * should be revoked, since the code has evidently leaked.
   */
  | { readonly kind: 'invalid'; readonly reason: string; readonly familyId?: string };

interface CodeRecord extends AuthorizationGrant {
  readonly expiresAt: number;
  used: boolean;
  familyId?: string;
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Single-use, short-lived authorization codes with optional PKCE (S256 only). */
export class AuthorizationCodeStore {
  readonly #codes = new Map<string, CodeRecord>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Issues a code for an auto-approved authorization request. */
  issue(grant: AuthorizationGrant): string {
    const code = randomToken();
    this.#codes.set(code, { ...grant, expiresAt: this.#now() + AUTHORIZATION_CODE_LIFETIME_MS, used: false });
    return code;
  }

  /** Redeems a code once. Synchronous, so two concurrent redemptions cannot both succeed. */
  redeem(code: string, redemption: CodeRedemption): RedeemOutcome {
    const record = this.#codes.get(code);
    if (!record) return { kind: 'invalid', reason: 'unknown authorization code' };
    if (record.used) {
      return record.familyId === undefined
        ? { kind: 'invalid', reason: 'authorization code already used' }
        : { kind: 'invalid', reason: 'authorization code already used', familyId: record.familyId };
    }
    // Any attempt spends the code: a wrong verifier must not leave it open for another guess.
    record.used = true;
    if (record.expiresAt <= this.#now()) return { kind: 'invalid', reason: 'authorization code expired' };
    if (redemption.clientId !== record.clientId) return { kind: 'invalid', reason: 'client_id mismatch' };
    if (redemption.redirectUri !== record.redirectUri) {
      return { kind: 'invalid', reason: 'redirect_uri mismatch' };
    }
    const pkceError = checkPkce(record.codeChallenge, redemption.codeVerifier);
    if (pkceError) return { kind: 'invalid', reason: pkceError };
    return { kind: 'redeemed', sub: record.sub };
  }

  /** Remembers which family a code produced, so a replayed code can revoke it. */
  bindFamily(code: string, familyId: string): void {
    const record = this.#codes.get(code);
    if (record) record.familyId = familyId;
  }

  /** True if `value` is a code this store issued (used to keep it out of logs). */
  isCode(value: string): boolean {
    return this.#codes.has(value);
  }

  /** Forgets every code. */
  clear(): void {
    this.#codes.clear();
  }
}

function checkPkce(challenge: string | undefined, verifier: string | undefined): string | undefined {
  if (challenge === undefined) {
    // OAuth 2.1 §4.1.3: a verifier without a challenge is an error, or PKCE downgrade goes unnoticed.
    return verifier === undefined ? undefined : 'code_verifier sent but no code_challenge was';
  }
  if (verifier === undefined) return 'code_verifier missing';
  if (!CODE_VERIFIER_PATTERN.test(verifier)) return 'code_verifier malformed';
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
    return 'code_verifier does not match code_challenge';
  }
  return undefined;
}
