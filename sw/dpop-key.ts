import { base64url } from './base64url.js';

/** The public half of a P-256 key as a JWK (RFC 7517), the only part that ever leaves the key. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A DPoP key pair (RFC 9449): the private key cannot be exported, by anyone, ever. */
export interface DpopKey {
  /** Non-extractable: it signs, and WebCrypto refuses to hand out its bytes. */
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  /** RFC 7638 SHA-256 thumbprint of `publicJwk`: what the server binds the tokens to (`cnf.jkt`, `dpop_jkt`). */
  readonly thumbprint: string;
}

/**
 * A new ES256 key for one session. `extractable: false` applies to the private key; WebCrypto
 * always lets the public key out, which is what the proof's `jwk` header carries. A `CryptoKey`
 * survives structured clone, so it can be kept in IndexedDB and still never be exported.
 */
export async function generateDpopKey(): Promise<DpopKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
  return { privateKey: pair.privateKey, publicJwk, thumbprint: await jwkThumbprint(publicJwk) };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))));
}
