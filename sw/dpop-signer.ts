import { base64url } from './base64url.js';
import type { DpopKey } from './dpop-key.js';
import { dpopProof, proofHeader } from './dpop-proof.js';
import { DpopNonces, asksForNonce } from './dpop-nonces.js';
import { DpopError } from './errors/dpop-error.js';

/** A signed proof, and the nonce it carries (to tell whether the server has a newer one). */
export interface SignedProof {
  proof: string;
  nonce: string | undefined;
}

export interface ProofTarget {
  method: string;
  url: string;
  /** For a resource request: the access token, hashed into `ath`. */
  accessToken?: string;
  /** The server's clock minus the worker's, so `iat` is in the server's time. */
  serverTimeOffsetMs: number;
}

/**
 * Signs the DPoP proofs of one worker (RFC 9449) and keeps what they need between requests: the
 * servers' nonces, and the hash of the access token in use (every resource proof carries it, and
 * it changes only at a refresh).
 */
export class DpopSigner {
  readonly #nonces = new DpopNonces();
  readonly #now: () => number;
  #ath: { token: string; hash: string } | undefined;
  /** The encoded header of the key in use (a session has one key, so one entry is enough). */
  #header: { thumbprint: string; encoded: string } | undefined;

  /** Origins already reported for a nonce the worker cannot read (once each). */
  readonly #unreadable = new Set<string>();
  readonly #onError: (error: DpopError) => void;

  /** @param onError told (once per origin) when a server asks for a nonce the worker cannot see. */
  constructor(now: () => number, onError: (error: DpopError) => void = () => undefined) {
    this.#now = now;
    this.#onError = onError;
  }

  async sign(key: DpopKey, target: ProofTarget): Promise<SignedProof> {
    const nonce = this.#nonces.for(target.url);
    if (this.#header?.thumbprint !== key.thumbprint) this.#header = { thumbprint: key.thumbprint, encoded: proofHeader(key) };
    // Taken before any await: a login's key and the session's can sign at the same time.
    const header = this.#header.encoded;
    const ath = target.accessToken === undefined ? undefined : await this.#hash(target.accessToken);
    const proof = await dpopProof(
      key,
      {
        method: target.method,
        url: target.url,
        now: this.#now() + target.serverTimeOffsetMs,
        ...(ath === undefined ? {} : { ath }),
        ...(nonce === undefined ? {} : { nonce }),
      },
      header,
    );
    return { proof, nonce };
  }

  /** Take the `DPoP-Nonce` of any response from `url`'s origin. */
  observe(url: string, response: Response): void {
    this.#nonces.update(url, response);
  }

  /**
   * Whether `response` (to a request sent with `sent`) asks for a proof with a nonce the worker
   * now has and did not send: then one more try with it is worth it (and never more than one,
   * since a server that keeps asking for the nonce it was given will not be satisfied).
   */
  async wantsRetry(url: string, sent: SignedProof, response: Response): Promise<boolean> {
    this.observe(url, response);
    if (!(await asksForNonce(response))) return false;
    const latest = this.#nonces.for(url);
    if (response.headers.get('dpop-nonce') === null) this.#unreadableNonce(url);
    return latest !== undefined && latest !== sent.nonce;
  }

  #unreadableNonce(url: string): void {
    const { origin } = new URL(url);
    if (this.#unreadable.has(origin)) return;
    this.#unreadable.add(origin);
    this.#onError(
      new DpopError(
        `Failed to answer ${origin}'s request for a DPoP nonce (use_dpop_nonce): its DPoP-Nonce header cannot be read; a server on another origin must list DPoP-Nonce (and WWW-Authenticate) in Access-Control-Expose-Headers`,
      ),
    );
  }

  /**
   * One request with a proof (`attempt` signs and sends), and once more when the server asks for a
   * nonce it has now given (`use_dpop_nonce`, RFC 9449 §8 and §9): that retry is neither a refresh
   * nor a replay, since the server looked at nothing but the proof. `canRetry` says whether the
   * request can go again (not when its body was not kept).
   */
  async exchange(
    url: string,
    attempt: () => Promise<{ proof: SignedProof; response: Response }>,
    canRetry: () => Promise<boolean> = async () => true,
  ): Promise<Response> {
    const first = await attempt();
    if (!(await this.wantsRetry(url, first.proof, first.response)) || !(await canRetry())) return first.response;
    void first.response.body?.cancel().catch(() => undefined);
    const second = await attempt();
    this.observe(url, second.response);
    return second.response;
  }

  async #hash(token: string): Promise<string> {
    if (this.#ath?.token !== token) {
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
      this.#ath = { token, hash: base64url(new Uint8Array(digest)) };
    }
    return this.#ath.hash;
  }
}
