import 'fake-indexeddb/auto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDemoApp } from '../../demo/server/create-demo-app.js';
import type { SentRequest } from './helpers/fake-network.js';
import { apiJson, expiredToken, tokenResponse } from './helpers/fake-network.js';
import { API_ORIGIN, APP_ORIGIN, LOGIN_ENDPOINT, tokenSet } from './helpers/fixtures.js';
import { generateDpopKey } from '../../sw/dpop-key.js';
import { apiRequest, proxyHarness } from './helpers/proxy-harness.js';

// DPoP through the whole worker (capture, proofs, refresh, nonces, restart, logout) against the
// demo server's real verifier (jose), in-process: the fake network hands every request to it.

/** The demo server's token endpoint (refresh and code exchange), below the app's origin. */
const TOKEN_ENDPOINT_PATH = '/auth/token';

const loginRequest = () =>
  new Request(LOGIN_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"username":"ada","password":"pw"}',
  });

async function dpopWorld(overrides = {}) {
  const demo = createDemoApp({ distDir: '/nonexistent-demo-dist', accessTokenTtl: 300 });
  const harness = await proxyHarness(
    { dpop: true, tokenEndpoints: [LOGIN_ENDPOINT], refreshEndpoint: `${APP_ORIGIN}${TOKEN_ENDPOINT_PATH}`, ...overrides },
    { login: false },
  );
  const toDemo = (sent: SentRequest) =>
    demo.request(sent.url, { method: sent.method, headers: sent.headers, ...(sent.body.byteLength > 0 ? { body: sent.body } : {}) });
  harness.api.respond = toDemo;
  harness.loginServer.respond = toDemo;
  const control = (path: string, body?: unknown) =>
    demo.request(`/demo/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const stats = async () => (await (await demo.request('/demo/stats')).json()) as Record<string, number>;
  const login = async () => {
    const response = await harness.send(loginRequest());
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  return { ...harness, demo, control, stats, login };
}

describe('DPoP (RFC 9449) through the worker, against the demo server', () => {
  it('the login is bound to a non-extractable key; the page gets the placeholder and never the refresh token', async () => {
    const { login, store, network, owner } = await dpopWorld();

    const body = await login();

    const record = await store.load();
    const key = record.tokens!.dpopKey!;
    expect(key.privateKey.extractable).toBe(false);
    expect(body).toEqual({ access_token: record.tokens!.placeholder, token_type: 'DPoP', expires_in: 300 });
    expect(decodeJwt(record.tokens!.accessToken)['cnf']).toEqual({ jkt: key.thumbprint });
    const proof = network.to(LOGIN_ENDPOINT)[0]!.headers.get('dpop')!;
    expect(decodeProtectedHeader(proof).jwk).toEqual(key.publicJwk);
    expect((await owner.status()).dpopThumbprint).toBe(key.thumbprint);
  });

  it('protected requests go out as `DPoP <token>` with a proof the server accepts; others get neither', async () => {
    const { login, send, stats, network, store } = await dpopWorld();
    await login();

    const response = await send(apiRequest('/api/me'));

    expect(response.status).toBe(200);
    const sent = network.to(`${API_ORIGIN}/api/me`)[0]!;
    expect(sent.headers.get('authorization')).toBe(`DPoP ${(await store.load()).tokens!.accessToken}`);
    expect(decodeJwt(sent.headers.get('dpop')!)).toMatchObject({ htm: 'GET', htu: `${API_ORIGIN}/api/me` });
    expect(await stats()).toMatchObject({ dpopProofs: 2, dpopRefused: 0, dpopApiRefusals: 0 });
  });

  it('an expired token: one refresh with a proof of the same key, the request replayed once, still bound', async () => {
    const { login, send, stats, control, status, store } = await dpopWorld();
    await login();
    const key = (await store.load()).tokens!.dpopKey!;
    await control('expire');

    const responses = await Promise.all([send(apiRequest('/api/me')), send(apiRequest('/api/items/1'))]);

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await stats()).toMatchObject({ refreshCalls: 1, reuseDetected: 0, dpopBindingRefusals: 0 });
    expect(status.counters.replayed).toBe(2);
    const record = await store.load();
    expect(record.tokens!.dpopKey!.thumbprint).toBe(key.thumbprint);
    expect(decodeJwt(record.tokens!.accessToken)['cnf']).toEqual({ jkt: key.thumbprint });
  });

  it('a resource server asking for its nonce gets one more try with it: no refresh, and not the request`s replay', async () => {
    const { login, send, stats, control, status, network } = await dpopWorld();
    await login();
    await control('dpop', { requireNonce: true });

    const response = await send(apiRequest('/api/echo', { method: 'POST', body: 'order 1' }));

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('order 1');
    const sent = network.to(`${API_ORIGIN}/api/echo`);
    expect(sent.map((s) => s.text)).toEqual(['order 1', 'order 1']);
    expect(decodeJwt(sent[1]!.headers.get('dpop')!)['nonce']).toEqual(expect.any(String));
    expect(status.counters).toMatchObject({ replayed: 0, refreshes: 0 });
    expect((await stats()).refreshCalls).toBe(0);

    // From then on the nonce goes with the first try.
    await send(apiRequest('/api/me'));
    expect(network.to(`${API_ORIGIN}/api/me`)).toHaveLength(1);
  });

  it('a rotated nonce at the token endpoint: the refresh is sent again with it, and the refresh token is spent once', async () => {
    const { login, send, stats, control, status, network } = await dpopWorld();
    await login();
    await control('dpop', { requireNonce: true });
    expect((await send(apiRequest('/api/me'))).status).toBe(200); // learns the nonce
    await control('dpop', { rotateNonce: true });
    await control('expire');

    expect((await send(apiRequest('/api/me'))).status).toBe(200);

    // The refresh met use_dpop_nonce (a proof decision, not a grant one) and went again with the
    // same refresh token, which the server then rotated once: no reuse.
    const refreshes = network.to(`${APP_ORIGIN}${TOKEN_ENDPOINT_PATH}`);
    expect(refreshes).toHaveLength(2);
    expect(new URLSearchParams(refreshes[1]!.text).get('refresh_token')).toBe(new URLSearchParams(refreshes[0]!.text).get('refresh_token'));
    expect(decodeJwt(refreshes[1]!.headers.get('dpop')!)['nonce']).not.toBe(decodeJwt(refreshes[0]!.headers.get('dpop')!)['nonce']);
    expect(await stats()).toMatchObject({ refreshCalls: 2, reuseDetected: 0, activeFamilies: 1, revokedFamilies: 0 });
    expect(status.counters.refreshes).toBe(1);
  });

  it('a bearer token answer with dpop on is refused, not used unbound; the page still never sees the refresh token', async () => {
    const { send, store, errors, loginServer } = await dpopWorld();
    loginServer.respond = () => tokenResponse({ access_token: 'at-bearer', refresh_token: 'rt-bearer' });

    const body = (await (await send(loginRequest())).json()) as Record<string, unknown>;

    expect((await store.load()).tokens).toBeNull();
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('access_token');
    expect(errors.map((e) => e.message)).toEqual([
      'Failed to read the token response: `token_type` is not "DPoP": `dpop` is on, and the server did not bind the token to the key',
    ]);
  });

  it('a restarted worker signs with the stored key: the session goes on without a new login', async () => {
    const { login, otherWorker, stats } = await dpopWorld();
    await login();

    const restarted = await otherWorker();

    expect((await restarted.send(apiRequest('/api/me'))).status).toBe(200);
    expect(await stats()).toMatchObject({ dpopApiRefusals: 0, loginCalls: 1 });
  });

  it('logout ends the key with the session; the next login is bound to a new one', async () => {
    const { login, owner, store } = await dpopWorld();
    await login();
    const first = (await store.load()).tokens!.dpopKey!.thumbprint;

    await owner.logout(false);
    expect((await store.load()).tokens).toBeNull();
    await login();

    expect((await store.load()).tokens!.dpopKey!.thumbprint).not.toBe(first);
  });

  it('the key for the next login is drawn once and kept: a thumbprint asked for before login is the one the login uses', async () => {
    const { login, owner, store } = await dpopWorld();

    const drawn = await owner.loginKey();
    expect(await owner.loginKey()).toBe(drawn);
    await login();

    const record = await store.load();
    expect(record.tokens!.dpopKey!.thumbprint).toBe(drawn!.thumbprint);
    expect(record.pendingDpopKey).toBeUndefined();
  });

  it('a session bound to a key stays bound after an update turned dpop off: no silent downgrade to Bearer', async () => {
    const { store, send, api } = await proxyHarness({}, { login: false });
    await store.save(tokenSet({ accessToken: 'at-bound', refreshToken: 'rt-bound' }), false, await generateDpopKey());
    api.respond = (sent) =>
      sent.headers.get('authorization') === 'DPoP at-bound' && sent.headers.get('dpop') !== null ? apiJson({ ok: true }) : expiredToken();

    expect((await send(apiRequest('/api/me'))).status).toBe(200);
  });
});
