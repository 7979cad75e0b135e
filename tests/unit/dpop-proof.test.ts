import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64url } from '../../sw/base64url.js';
import { generateDpopKey, jwkThumbprint } from '../../sw/dpop-key.js';
import { dpopProof } from '../../sw/dpop-proof.js';
import { DpopSigner } from '../../sw/dpop-signer.js';

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

    const signer = new DpopSigner(() => NOW);

    const { proof } = await signer.sign(key, {
      method: 'post',
      url: 'https://api.example.com/orders?page=2#top',
      accessToken: 'at-1',
      serverTimeOffsetMs: 0,
    });

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
    const signer = new DpopSigner(() => NOW);
    const target = { method: 'GET', url: 'https://api.example.com/me', accessToken: 'at-secret', serverTimeOffsetMs: 0 };

    const [{ proof: first }, { proof: second }] = await Promise.all([signer.sign(key, target), signer.sign(key, target)]);

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

describe('DpopSigner', () => {
  const nonceAnswer = (nonce: string) =>
    new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce } });

  it('iat is in the server`s time: the worker`s clock plus the offset it measured', async () => {
    const key = await generateDpopKey();
    const { proof } = await new DpopSigner(() => NOW).sign(key, {
      method: 'GET',
      url: 'https://api.example.com/me',
      serverTimeOffsetMs: -120_000,
    });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(NOW - 120_000) });
    expect(payload.iat).toBe((NOW - 120_000) / 1000);
  });

  it('ath follows the token: a refreshed token gets its own hash', async () => {
    const key = await generateDpopKey();
    const signer = new DpopSigner(() => NOW);
    const ath = async (accessToken: string) =>
      (
        await verify(
          (await signer.sign(key, { method: 'GET', url: 'https://api.example.com/me', accessToken, serverTimeOffsetMs: 0 })).proof,
        )
      ).payload['ath'];
    expect(await ath('at-1')).toBe(await sha256('at-1'));
    expect(await ath('at-1')).toBe(await sha256('at-1'));
    expect(await ath('at-2')).toBe(await sha256('at-2'));
  });

  it('use_dpop_nonce with a new nonce is worth one retry, which carries it; the same nonce again is not', async () => {
    const key = await generateDpopKey();
    const signer = new DpopSigner(() => NOW);
    const target = { method: 'GET', url: 'https://api.example.com/me', serverTimeOffsetMs: 0 };

    const first = await signer.sign(key, target);
    expect(first.nonce).toBeUndefined();
    expect(await signer.wantsRetry(target.url, first, nonceAnswer('n-1'))).toBe(true);

    const second = await signer.sign(key, target);
    expect((await verify(second.proof)).payload['nonce']).toBe('n-1');
    expect(await signer.wantsRetry(target.url, second, nonceAnswer('n-1'))).toBe(false);
  });

  it('a nonce another response brought in counts as new for a request that was sent without it', async () => {
    const key = await generateDpopKey();
    const signer = new DpopSigner(() => NOW);
    const target = { method: 'GET', url: 'https://api.example.com/me', serverTimeOffsetMs: 0 };
    const sent = await signer.sign(key, target);

    signer.observe(target.url, new Response('ok', { headers: { 'dpop-nonce': 'n-2' } }));

    expect(await signer.wantsRetry(target.url, sent, nonceAnswer('n-2'))).toBe(true);
  });

  it('a 401 that is not about the nonce is not retried, whatever nonce it brings', async () => {
    const key = await generateDpopKey();
    const signer = new DpopSigner(() => NOW);
    const sent = await signer.sign(key, { method: 'GET', url: 'https://api.example.com/me', serverTimeOffsetMs: 0 });
    const expired = new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n-3' } });
    expect(await signer.wantsRetry('https://api.example.com/me', sent, expired)).toBe(false);
  });
});

describe('DpopSigner: a nonce it cannot read', () => {
  it('reports a DpopError once per origin when the server asks for a nonce whose header it cannot see, and does not retry', async () => {
    const key = await generateDpopKey();
    const errors: Error[] = [];
    const signer = new DpopSigner(
      () => NOW,
      (error) => errors.push(error),
    );
    const target = { method: 'GET', url: 'https://api.example.com/me', serverTimeOffsetMs: 0 };
    // What a cross-origin answer looks like when DPoP-Nonce is not in Access-Control-Expose-Headers.
    const hidden = () => new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"' } });

    const sent = await signer.sign(key, target);
    expect(await signer.wantsRetry(target.url, sent, hidden())).toBe(false);
    expect(await signer.wantsRetry(target.url, sent, hidden())).toBe(false);

    expect(errors.map((error) => [error.name, error.message])).toEqual([
      [
        'DpopError',
        "Failed to answer https://api.example.com's request for a DPoP nonce (use_dpop_nonce): its DPoP-Nonce header cannot be read; a server on another origin must list DPoP-Nonce (and WWW-Authenticate) in Access-Control-Expose-Headers",
      ],
    ]);
  });
});

describe('DpopSigner: two keys at once', () => {
  it('proofs signed at the same time by two keys (a login`s and the session`s) each carry their own key', async () => {
    const [session, login] = [await generateDpopKey(), await generateDpopKey()];
    const signer = new DpopSigner(() => NOW);
    const [resource, token] = await Promise.all([
      signer.sign(session, { method: 'GET', url: 'https://api.example.com/me', accessToken: 'at-1', serverTimeOffsetMs: 0 }),
      signer.sign(login, { method: 'POST', url: 'https://auth.example.com/token', serverTimeOffsetMs: 0 }),
    ]);
    expect((await verify(resource.proof)).protectedHeader.jwk).toEqual(session.publicJwk);
    expect((await verify(token.proof)).protectedHeader.jwk).toEqual(login.publicJwk);
  });
});
