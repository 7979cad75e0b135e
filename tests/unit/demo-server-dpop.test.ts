import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDemoApp } from '../../demo/server/create-demo-app.js';
import { DpopVerifier } from '../../demo/server/dpop-verifier.js';
import { generateDpopKey, type DpopKey } from '../../sw/dpop-key.js';
import { dpopProof } from '../../sw/dpop-proof.js';
import { DpopSigner } from '../../sw/dpop-signer.js';

// The demo server's DPoP contract (RFC 9449), in-process: what the worker's proofs are checked
// against in the browser tier. Proofs come from the worker's own signer (itself checked with jose
// in dpop-proof.test.ts) and, for the refusals, from hand-made ones.

const START = Date.UTC(2030, 0, 1);
const BASE = 'http://localhost';
let now = START;
let app: ReturnType<typeof createDemoApp>;
let key: DpopKey;
let signer: DpopSigner;

beforeEach(async () => {
  now = START;
  app = createDemoApp({ now: () => now, distDir: '/nonexistent-demo-dist', accessTokenTtl: 30 });
  key = await generateDpopKey();
  signer = new DpopSigner(() => now);
});

const proofFor = async (method: string, path: string, accessToken?: string, by = key) =>
  (await signer.sign(by, { method, url: `${BASE}${path}`, serverTimeOffsetMs: 0, ...(accessToken ? { accessToken } : {}) })).proof;

async function login(headers: Record<string, string> = {}): Promise<Response> {
  return app.request('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'ada', password: 'secret' }),
  });
}

async function dpopLogin(): Promise<{ access_token: string; refresh_token: string; token_type: string }> {
  const res = await login({ DPoP: await proofFor('POST', '/auth/login') });
  expect(res.status).toBe(200);
  return res.json();
}

async function me(authorization: string, proof?: string): Promise<Response> {
  return app.request('/api/me', { headers: { Authorization: authorization, ...(proof ? { DPoP: proof } : {}) } });
}

async function refresh(refreshToken: string, proof?: string): Promise<Response> {
  return app.request('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(proof ? { DPoP: proof } : {}) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
}

const stats = async () => (await (await app.request('/demo/stats')).json()) as Record<string, number>;
const challengeOf = (res: Response) => res.headers.get('www-authenticate');

describe('demo server: DPoP-bound tokens', () => {
  it('a login with a proof gets token_type DPoP and an access token bound to the key (cnf.jkt)', async () => {
    const tokens = await dpopLogin();
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token)['cnf']).toEqual({ jkt: key.thumbprint });
    expect((await stats()).dpopProofs).toBe(1);
  });

  it('the API takes the token under the DPoP scheme with a proof of the key for this request, and nothing less', async () => {
    const { access_token: token } = await dpopLogin();
    const other = await generateDpopKey();

    expect((await me(`DPoP ${token}`, await proofFor('GET', '/api/me', token))).status).toBe(200);

    const asBearer = await me(`Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(challengeOf(asBearer)).toBe('DPoP error="invalid_token", algs="ES256"');
    const noProof = await me(`DPoP ${token}`);
    expect(challengeOf(noProof)).toBe('DPoP error="invalid_dpop_proof", algs="ES256"');
    const otherKey = await me(`DPoP ${token}`, await proofFor('GET', '/api/me', token, other));
    expect(challengeOf(otherKey)).toBe('DPoP error="invalid_dpop_proof", algs="ES256"');
    const otherUrl = await me(`DPoP ${token}`, await proofFor('GET', '/api/items/1', token));
    expect(otherUrl.status).toBe(401);
    const noAth = await me(`DPoP ${token}`, await proofFor('GET', '/api/me'));
    expect(noAth.status).toBe(401);
    const otherToken = await me(`DPoP ${token}`, await proofFor('GET', '/api/me', 'another-token'));
    expect(otherToken.status).toBe(401);
    expect((await stats()).dpopApiRefusals).toBe(6);
  });

  it('a proof is good once (jti), and only within the iat window', async () => {
    const { access_token: token } = await dpopLogin();
    const proof = await proofFor('GET', '/api/me', token);
    expect((await me(`DPoP ${token}`, proof)).status).toBe(200);
    expect((await me(`DPoP ${token}`, proof)).status).toBe(401);

    const stale = await dpopProof(key, { method: 'GET', url: `${BASE}/api/me`, now: now - 120_000 });
    expect((await me(`DPoP ${token}`, stale)).status).toBe(401);
  });

  it.each([
    ['a private key in its jwk header', { typ: 'dpop+jwt', withPrivate: true }, 'the jwk header is missing or holds a private key'],
    ['another typ', { typ: 'JWT', withPrivate: false }, 'the signature or header does not verify (JWTClaimValidationFailed)'],
    ['a good header', { typ: 'dpop+jwt', withPrivate: false }, null],
  ])('the verifier on a proof with %s', async (_case, { typ, withPrivate }, refusal) => {
    const verifier = new DpopVerifier({ now: () => now });
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(withPrivate ? pair.privateKey : pair.publicKey);
    const proof = await new SignJWT({ htm: 'GET', htu: `${BASE}/api/me`, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ, jwk })
      .setIssuedAt(Math.floor(now / 1000))
      .sign(pair.privateKey);
    const verdict = await verifier.verify(proof, { method: 'GET', url: `${BASE}/api/me` });
    expect(verdict.ok ? null : verdict.description).toBe(refusal);
  });

  it('two DPoP headers are refused as not one compact JWS', async () => {
    const verifier = new DpopVerifier({ now: () => now });
    const [a, b] = [await proofFor('GET', '/api/me'), await proofFor('GET', '/api/me')];
    const verdict = await verifier.verify(`${a}, ${b}`, { method: 'GET', url: `${BASE}/api/me` });
    expect(verdict).toEqual({ ok: false, error: 'invalid_dpop_proof', description: 'not one compact JWS' });
  });

  it('the refresh token works only with a proof of its key; another key`s refusal neither rotates nor revokes', async () => {
    const { refresh_token: refreshToken } = await dpopLogin();
    const thief = await generateDpopKey();

    const stolen = await refresh(refreshToken, await proofFor('POST', '/auth/token', undefined, thief));
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(refreshToken)).status).toBe(400);

    const own = await refresh(refreshToken, await proofFor('POST', '/auth/token'));
    expect(own.status).toBe(200);
    const rotated = (await own.json()) as { token_type: string; access_token: string };
    expect(rotated.token_type).toBe('DPoP');
    expect(decodeJwt(rotated.access_token)['cnf']).toEqual({ jkt: key.thumbprint });
    expect(await stats()).toMatchObject({ dpopBindingRefusals: 2, reuseDetected: 0, revokedFamilies: 0 });
  });

  it('a login without a proof still gets bearer tokens, which the API takes only as Bearer', async () => {
    const res = await login();
    const tokens = (await res.json()) as { access_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');
    expect((await me(`Bearer ${tokens.access_token}`)).status).toBe(200);
    expect((await me(`DPoP ${tokens.access_token}`, await proofFor('GET', '/api/me', tokens.access_token))).status).toBe(401);
  });
});

describe('demo server: DPoP nonces (RFC 9449 §8, §9)', () => {
  const requireNonce = (body: Record<string, boolean>) =>
    app.request('/demo/dpop', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('the token endpoint answers use_dpop_nonce with the nonce; a proof carrying it is taken', async () => {
    await requireNonce({ requireNonce: true });

    const first = await login({ DPoP: await proofFor('POST', '/auth/login') });
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    signer.observe(`${BASE}/auth/login`, first);

    const second = await login({ DPoP: await proofFor('POST', '/auth/login') });
    expect(second.status).toBe(200);
    expect(second.headers.get('dpop-nonce')).toBe(first.headers.get('dpop-nonce'));
  });

  it('the API answers a proof without the current nonce with 401 use_dpop_nonce; a rotated nonce is asked for again', async () => {
    const { access_token: token } = await dpopLogin();
    await requireNonce({ requireNonce: true });

    const asked = await me(`DPoP ${token}`, await proofFor('GET', '/api/me', token));
    expect(asked.status).toBe(401);
    expect(challengeOf(asked)).toBe('DPoP error="use_dpop_nonce", algs="ES256"');
    signer.observe(`${BASE}/api/me`, asked);
    expect((await me(`DPoP ${token}`, await proofFor('GET', '/api/me', token))).status).toBe(200);

    await requireNonce({ rotateNonce: true });
    const again = await me(`DPoP ${token}`, await proofFor('GET', '/api/me', token));
    expect(challengeOf(again)).toBe('DPoP error="use_dpop_nonce", algs="ES256"');
    expect(again.headers.get('dpop-nonce')).not.toBe(asked.headers.get('dpop-nonce'));
  });

  it('a code exchange refused for its nonce can be sent again with the same code: the code is not spent on a proof check', async () => {
    const verifier = 'v'.repeat(43);
    const challenge = (await import('node:crypto')).createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://localhost:5173/callback';
    const authorized = await app.request(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'demo', redirect_uri: redirectUri, state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`,
    );
    const code = new URL(authorized.headers.get('Location')!).searchParams.get('code')!;
    await requireNonce({ requireNonce: true });
    const exchange = async () =>
      app.request('/auth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: await proofFor('POST', '/auth/token') },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: 'demo',
          code_verifier: verifier,
        }).toString(),
      });

    const first = await exchange();
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    signer.observe(`${BASE}/auth/token`, first);
    const second = await exchange();

    expect(second.status).toBe(200);
    expect(((await second.json()) as { token_type: string }).token_type).toBe('DPoP');
  });
});
