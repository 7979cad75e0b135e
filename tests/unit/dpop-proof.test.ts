import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64url } from '../../sw/base64url.js';
import { generateDpopKey, jwkThumbprint } from '../../sw/dpop-key.js';
import { dpopProof } from '../../sw/dpop-proof.js';

const NOW = Date.UTC(2030, 0, 1, 12);

/** Verified the way a resource server does (RFC 9449 §4.3), with an independent JOSE library. */
async function verify(proof: string) {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: ['ES256'],
    currentDate: new Date(NOW),
  });
  return { payload, protectedHeader };
}

const sha256 = async (text: string) => base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

describe('DPoP keys (RFC 9449)', () => {
  it('the private key cannot be exported; the public JWK and its RFC 7638 thumbprint can be read', async () => {
    const key = await generateDpopKey();

    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
    expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(await jwkThumbprint(key.publicJwk)).toBe(key.thumbprint);
  });

  it('every key is new', async () => {
    const [a, b] = await Promise.all([generateDpopKey(), generateDpopKey()]);
    expect(a.thumbprint).not.toBe(b.thumbprint);
  });
});

describe('DPoP proofs (RFC 9449 §4.2)', () => {
  it('a resource request: verifies with the embedded key, claims htm, htu without query or fragment, iat, jti and ath', async () => {
    const key = await generateDpopKey();

    const proof = await dpopProof(key, { method: 'post', url: 'https://api.example.com/orders?page=2#top', accessToken: 'at-1', now: NOW });

    const { payload, protectedHeader } = await verify(proof);
    expect(protectedHeader).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[\w-]{22}$/),
      htm: 'POST',
      htu: 'https://api.example.com/orders',
      iat: NOW / 1000,
      ath: await sha256('at-1'),
    });
  });

  it('a token request: no ath; the server`s nonce when there is one', async () => {
    const key = await generateDpopKey();

    const proof = await dpopProof(key, { method: 'POST', url: 'https://auth.example.com/token', nonce: 'n-1', now: NOW + 999 });

    const { payload } = await verify(proof);
    expect(payload).not.toHaveProperty('ath');
    expect(payload).toMatchObject({ nonce: 'n-1', iat: NOW / 1000 });
  });

  it('never carries the private key or the token, and every proof has its own jti', async () => {
    const key = await generateDpopKey();
    const claims = { method: 'GET', url: 'https://api.example.com/me', accessToken: 'at-secret', now: NOW };

    const [first, second] = await Promise.all([dpopProof(key, claims), dpopProof(key, claims)]);

    expect(decodeProtectedHeader(first).jwk).not.toHaveProperty('d');
    expect(atob(first.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).not.toContain('at-secret');
    expect((await verify(first)).payload.jti).not.toBe((await verify(second)).payload.jti);
  });

  it('a proof signed by one key does not verify as another`s', async () => {
    const [key, other] = await Promise.all([generateDpopKey(), generateDpopKey()]);
    const proof = await dpopProof(key, { method: 'GET', url: 'https://api.example.com/me', now: NOW });
    const [header, payload, signature] = proof.split('.');
    const forged = `${base64url(new TextEncoder().encode(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: other.publicJwk })))}.${payload}.${signature}`;
    expect(header).not.toBe(forged.split('.')[0]);
    await expect(verify(forged)).rejects.toThrow();
  });
});
