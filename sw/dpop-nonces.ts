/**
 * The servers' DPoP nonces (RFC 9449 §8 and §9), one per origin: an authorization server and each
 * resource server keep their own. Any response may carry a fresher one in `DPoP-Nonce`; the next
 * proof to that origin uses the latest.
 */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();

  /** The nonce to put in a proof for `url`, if its server gave one. */
  for(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /**
   * Remember the `DPoP-Nonce` of `response` (to a request for `url`). Returns whether it changed.
   * Whether a `use_dpop_nonce` answer is worth a retry is not this: `DpopSigner` compares the latest
   * nonce with the one the refused proof carried, since another response may have brought the new
   * one first. A cross-origin server must list `DPoP-Nonce` in `Access-Control-Expose-Headers`,
   * or the worker sees none.
   */
  update(url: string, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    // RFC 9449 §8.1: NQCHAR, printable ASCII without the double quote and backslash.
    if (nonce === null || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return false;
    const origin = new URL(url).origin;
    if (this.#byOrigin.get(origin) === nonce) return false;
    this.#byOrigin.set(origin, nonce);
    return true;
  }
}

/**
 * The server asks for a proof with its nonce (`use_dpop_nonce`): a resource server answers 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` (§9), an authorization server 400 with that
 * `error` in its JSON body (§8). Reads a clone, so the response stays whole for the page.
 */
export async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status === 401) {
    const challenge = response.headers.get('www-authenticate') ?? '';
    return /\bDPoP\b/i.test(challenge) && /\berror\s*=\s*"?use_dpop_nonce"?/i.test(challenge);
  }
  if (response.status !== 400) return false;
  try {
    const body: unknown = await response.clone().json();
    return typeof body === 'object' && body !== null && (body as { error?: unknown }).error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}
