import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { randomToken } from './random-token.js';

/** What a proof must match: the request it came with, and for a resource request its token. */
export interface DpopRequest {
  readonly method: string;
  /** The full request URL; `htu` is compared without its query and fragment. */
  readonly url: string;
  /** A resource request's access token: the proof's `ath` must be its hash. */
  readonly accessToken?: string;
}

/** A good proof names the key it was signed with (RFC 7638 thumbprint, what `cnf.jkt` binds to). */
export type DpopVerdict =
  | { readonly ok: true; readonly jkt: string; readonly claims: DpopProofSummary }
  | { readonly ok: false; readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce'; readonly description: string };

/** A proof as the dashboard shows it: no token, nothing that could be replayed. */
export interface DpopProofSummary {
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly jti: string;
  readonly jkt: string;
  readonly nonce: boolean;
}

export interface DpopVerifierOptions {
  /** The server's clock, epoch ms. */
  readonly now: () => number;
  /** How far a proof's `iat` may be from the server's clock, either way. @default 60 */
  readonly windowSeconds?: number;
}

/**
 * Checks DPoP proofs the way RFC 9449 §4.3 lists it, with jose: one well-formed JWS of type
 * `dpop+jwt`, signed (ES256) by the public key in its own `jwk` header and no private key there,
 * `htm` and `htu` matching the request, `iat` within the window, `jti` never seen before, `ath`
 * matching the access token, and the server's current nonce once nonces are switched on (§8, §9;
 * the nonce changes on `rotateNonce`).
 */
export class DpopVerifier {
  /** Require the current nonce in every proof. */
  requireNonce = false;
  /** Proofs accepted and refused, for `/demo/stats`. */
  verified = 0;
  refused = 0;
  /** Time spent checking proofs, for the bench to tell the server's share of DPoP's cost. */
  verifyMs = 0;
  /** The last good proof, for the dashboard. */
  lastProof: DpopProofSummary | null = null;
  readonly #now: () => number;
  readonly #windowSeconds: number;
  /**
   * `jti` → when it can be forgotten (its `iat` has left the window by then). In arrival order,
   * which is about `iat` order, so forgetting stops at the first one still inside the window.
   */
  readonly #seen = new Map<string, number>();
  /** Public keys already imported, by their JWK: a client signs every proof with the same one. */
  readonly #keys = new Map<string, { key: CryptoKey | Uint8Array; jkt: string }>();
  #nonce = randomToken();

  constructor(options: DpopVerifierOptions) {
    this.#now = options.now;
    this.#windowSeconds = options.windowSeconds ?? 60;
  }

  /** The nonce proofs must carry while `requireNonce` is on. */
  get nonce(): string {
    return this.#nonce;
  }

  /** A new nonce; proofs with the old one are refused with `use_dpop_nonce` from now on. */
  rotateNonce(): string {
    this.#nonce = randomToken();
    return this.#nonce;
  }

  clear(): void {
    this.requireNonce = false;
    this.verified = 0;
    this.refused = 0;
    this.verifyMs = 0;
    this.lastProof = null;
    this.#seen.clear();
    this.#keys.clear();
    this.#nonce = randomToken();
  }

  async verify(proof: string | undefined, request: DpopRequest): Promise<DpopVerdict> {
    const began = performance.now();
    const verdict = await this.#check(proof, request);
    this.verifyMs += performance.now() - began;
    if (verdict.ok) {
      this.verified += 1;
      this.lastProof = verdict.claims;
    } else {
      this.refused += 1;
    }
    return verdict;
  }

  async #check(proof: string | undefined, request: DpopRequest): Promise<DpopVerdict> {
    const refuse = (description: string): DpopVerdict => ({ ok: false, error: 'invalid_dpop_proof', description });
    if (proof === undefined || proof === '') return refuse('no DPoP proof');
    // Two DPoP headers arrive joined by a comma, which a compact JWS never contains.
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof)) return refuse('not one compact JWS');
    let payload: Record<string, unknown>;
    let jkt: string;
    try {
      const jwk = decodeProtectedHeader(proof).jwk as JWK | undefined;
      if (jwk === undefined || 'd' in jwk) return refuse('the jwk header is missing or holds a private key');
      const known = await this.#publicKey(jwk);
      jkt = known.jkt;
      ({ payload } = await jwtVerify(proof, known.key, { typ: 'dpop+jwt', algorithms: ['ES256'] }));
    } catch (error) {
      return refuse(`the signature or header does not verify (${(error as Error).name})`);
    }
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || jti.length < 16) return refuse('jti is missing or too short');
    if (htm !== request.method.toUpperCase()) return refuse('htm does not match the request method');
    const target = new URL(request.url);
    if (htu !== target.origin + target.pathname) return refuse('htu does not match the request URL');
    const nowSeconds = this.#now() / 1000;
    if (typeof iat !== 'number' || Math.abs(iat - nowSeconds) > this.#windowSeconds) return refuse('iat is outside the window');
    if (request.accessToken !== undefined) {
      const expected = createHash('sha256').update(request.accessToken).digest('base64url');
      if (ath !== expected) return refuse('ath does not match the access token');
    }
    if (this.requireNonce && nonce !== this.#nonce) {
      return { ok: false, error: 'use_dpop_nonce', description: 'the proof must carry the server`s current nonce' };
    }
    this.#forgetOld(nowSeconds);
    if (this.#seen.has(jti)) return refuse('jti was used before (a replayed proof)');
    this.#seen.set(jti, iat + this.#windowSeconds);
    return {
      ok: true,
      jkt,
      claims: { htm, htu, iat, jti, jkt, nonce: typeof nonce === 'string' },
    };
  }

  #forgetOld(nowSeconds: number): void {
    for (const [jti, until] of this.#seen) {
      if (until >= nowSeconds) break;
      this.#seen.delete(jti);
    }
  }

  /** The imported key and thumbprint of a proof's `jwk` (what `EmbeddedJWK` does, once per key). */
  async #publicKey(jwk: JWK): Promise<{ key: CryptoKey | Uint8Array; jkt: string }> {
    const id = JSON.stringify([jwk.kty, jwk.crv, jwk.x, jwk.y]);
    let known = this.#keys.get(id);
    if (known === undefined) {
      known = { key: await importJWK(jwk, 'ES256'), jkt: await calculateJwkThumbprint(jwk, 'sha256') };
      if (this.#keys.size >= 1000) this.#keys.clear();
      this.#keys.set(id, known);
    }
    return known;
  }
}
