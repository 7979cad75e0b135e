import { base64url, randomId } from './base64url.js';
import type { DpopKey } from './dpop-key.js';

/** What one proof is for. */
export interface DpopProofClaims {
  /** The request's method (`htm`). */
  method: string;
  /** The request's URL; its query and fragment are left out (`htu`, RFC 9449 §4.2). */
  url: string;
  /** For a resource request: base64url SHA-256 of the access token the proof travels with. */
  ath?: string;
  /** The server's latest `DPoP-Nonce` for this origin, if it asked for one. */
  nonce?: string;
  /** The server's clock, epoch ms (the worker's clock plus the offset it measured). */
  now: number;
}

const encoder = new TextEncoder();
const encode = (value: unknown): string => base64url(encoder.encode(JSON.stringify(value)));

/** The encoded JWS protected header of every proof `key` signs: the same for all of them. */
export function proofHeader(key: DpopKey): string {
  return encode({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
}

/**
 * An RFC 9449 §4.2 DPoP proof: a JWS (ES256) with `typ: dpop+jwt` and the public key in `jwk`,
 * claiming `jti`, `htm`, `htu`, `iat`, and `ath` / `nonce` when given. WebCrypto's ECDSA signature
 * is already the JWS form (r ‖ s, 64 bytes), so no DER conversion and no library are needed.
 *
 * @param header `proofHeader(key)`, passed in by a caller that signs many proofs with one key.
 */
export async function dpopProof(key: DpopKey, claims: DpopProofClaims, header = proofHeader(key)): Promise<string> {
  const target = new URL(claims.url);
  const payload: Record<string, string | number> = {
    jti: randomId(16),
    htm: claims.method.toUpperCase(),
    htu: target.origin + target.pathname,
    iat: Math.floor(claims.now / 1000),
  };
  if (claims.ath !== undefined) payload['ath'] = claims.ath;
  if (claims.nonce !== undefined) payload['nonce'] = claims.nonce;
  const input = `${header}.${encode(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
