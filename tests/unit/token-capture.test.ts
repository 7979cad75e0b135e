import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthProxyError } from '../../sw/errors/auth-proxy-error.js';
import { TokenResponseError } from '../../sw/errors/token-response-error.js';
import { PLACEHOLDER_PREFIX } from '../../sw/protocol.js';
import { captureTokenResponse } from '../../sw/token-capture.js';
import type { TokenSet } from '../../sw/token-response.js';
import { TokenStore } from '../../sw/token-store.js';
import { FakeNetwork } from './helpers/fake-network.js';
import { LOGIN_ENDPOINT, recordAnnouncements, testConfig, type ConfigOverrides } from './helpers/fixtures.js';

const ACCESS = 'at-secret-login';
const REFRESH = 'rt-secret-login';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A token endpoint on the fake network answering `answer`, and everything captureTokenResponse needs. */
function setup(answer: () => Response, overrides: ConfigOverrides = {}) {
  const config = testConfig(overrides);
  const store = new TokenStore(config.databaseName, config.refreshTokenStorage);
  const network = new FakeNetwork().route(LOGIN_ENDPOINT, answer);
  vi.stubGlobal('fetch', network.fetch);
  const announcements = recordAnnouncements();
  const errors: AuthProxyError[] = [];
  // The session's login, reduced to what capture relies on: store, then announce.
  const login = async (tokens: TokenSet) => {
    const record = await store.save(tokens, false);
    announcements.announce('logged-in', { generation: record.generation, expiresAt: record.tokens!.expiresAt });
    return record;
  };
  const capture = (request = loginRequest()) =>
    captureTokenResponse(request, { config, login, onError: (error) => errors.push(error), fetch: network.fetch, now: () => Date.now() });
  return { config, store, network, announcements, errors, capture };
}

function loginRequest(): Request {
  return new Request(LOGIN_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: 'pw' }),
    credentials: 'include',
  });
}

function loginResponse(fields: Record<string, unknown> = {}, init: ResponseInit = {}): Response {
  return Response.json(
    {
      access_token: ACCESS,
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: REFRESH,
      scope: 'read',
      user: { id: 7, name: 'Ada' },
      ...fields,
    },
    { headers: { 'Content-Length': '999', ETag: '"abc"', 'X-Request-Id': 'r-1' }, ...init },
  );
}

describe('captureTokenResponse', () => {
  it('sends the page`s request as it is', async () => {
    const { capture, network } = setup(() => loginResponse());
    await capture();
    expect(network.sent).toHaveLength(1);
    expect(network.sent[0]!.text).toBe('{"username":"ada","password":"pw"}');
    expect(network.sent[0]!.request.credentials).toBe('include');
  });

  it('stores the tokens and hands the page the same JSON without refresh_token and with a placeholder', async () => {
    const { capture, store } = setup(() => loginResponse({}, { status: 201, statusText: 'Created' }));
    const before = Date.now();

    const response = await capture();

    const record = await store.read();
    expect(record.generation).toBe(1);
    expect(record.tokens).toMatchObject({ accessToken: ACCESS, refreshToken: REFRESH, scope: 'read' });
    expect(record.tokens!.expiresAt).toBeGreaterThanOrEqual(before + 900_000);

    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      access_token: record.tokens!.placeholder,
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'read',
      user: { id: 7, name: 'Ada' },
    });
    expect(record.tokens!.placeholder.startsWith(PLACEHOLDER_PREFIX)).toBe(true);
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
  });

  it('describes the rewritten body, not the network one', async () => {
    const { capture } = setup(() => loginResponse());
    const response = await capture();
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('x-request-id')).toBe('r-1');
  });

  it('hands over the real access token with exposeAccessToken, still never the refresh token', async () => {
    const { capture } = setup(() => loginResponse(), { exposeAccessToken: true });
    const body = (await (await capture()).json()) as Record<string, unknown>;
    expect(body['access_token']).toBe(ACCESS);
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('announces logged-in with the generation and expiry, and no token', async () => {
    const { capture, announcements, store } = setup(() => loginResponse());
    await capture();
    const record = await store.read();
    expect(announcements.all).toEqual([{ type: 'logged-in', payload: { generation: 1, expiresAt: record.tokens!.expiresAt } }]);
    expect(JSON.stringify(announcements.all)).not.toMatch(new RegExp(`${ACCESS}|${REFRESH}|${record.tokens!.placeholder}`));
  });

  it('a second login replaces the first session', async () => {
    const answers = [loginResponse(), loginResponse({ access_token: 'at-second', refresh_token: 'rt-second' })];
    const { capture, store, announcements } = setup(() => answers.shift()!);
    await capture();
    const first = await store.read();
    await capture();
    const second = await store.read();
    expect(second).toMatchObject({
      generation: 2,
      tokens: { accessToken: 'at-second', refreshToken: 'rt-second', previousTokenHashes: [] },
    });
    expect(second.tokens!.placeholder).not.toBe(first.tokens!.placeholder);
    expect(announcements.of('logged-in').map((p) => p.generation)).toEqual([1, 2]);
  });

  it.each([
    ['an error status', () => Response.json({ error: 'invalid_grant', access_token: ACCESS, refresh_token: REFRESH }, { status: 400 })],
    ['a 3xx', () => Response.json({ access_token: ACCESS, refresh_token: REFRESH }, { status: 300 })],
    ['a 5xx', () => Response.json({ access_token: ACCESS, refresh_token: REFRESH }, { status: 503 })],
    ['HTML', () => new Response(`<p>${ACCESS}</p>`, { headers: { 'Content-Type': 'text/html' } })],
    ['malformed JSON', () => new Response('{"access_token": "at-secret-login", ', { headers: { 'Content-Type': 'application/json' } })],
    ['a JSON array', () => Response.json([ACCESS, REFRESH])],
    ['JSON without tokens', () => Response.json({ user: 'ada', mfa_required: true })],
    [
      'a form without tokens',
      () => new Response('user=ada&mfa_required=true', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    ],
    ['an empty 204', () => new Response(null, { status: 204 })],
  ])('passes %s through untouched and stores nothing', async (_case, answer) => {
    const sample = answer();
    const expectedText = await sample.clone().text();
    const { capture, store, announcements, errors } = setup(() => sample);

    const response = await capture();

    expect(response).toBe(sample);
    expect(await response.text()).toBe(expectedText);
    expect(await store.read()).toMatchObject({ generation: 0, tokens: null });
    expect(announcements.all).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('recognises vendor JSON types such as application/vnd.api+json', async () => {
    const { capture, store } = setup(
      () =>
        new Response(JSON.stringify({ access_token: ACCESS, refresh_token: REFRESH }), {
          headers: { 'Content-Type': 'application/vnd.api+json; charset=utf-8' },
        }),
    );
    const body = await (await capture()).json();
    expect(body).not.toHaveProperty('refresh_token');
    expect((await store.read()).tokens?.accessToken).toBe(ACCESS);
  });

  it.each([
    ['JSON sent as text/plain', 'text/plain', 'text/plain'],
    ['JSON without a Content-Type', null, 'application/json'],
    ['JSON with a charset parameter', 'application/json; charset=ISO-8859-1', 'application/json; charset=utf-8'],
  ])('captures %s by what the body is, keeping its Content-Type', async (_case, sent, kept) => {
    const body = JSON.stringify({ access_token: ACCESS, token_type: 'Bearer', refresh_token: REFRESH, expires_in: 900 });
    const { capture, store } = setup(() => {
      const response = new Response(body);
      // A string body gets text/plain by default: take it off to send none.
      if (sent === null) response.headers.delete('content-type');
      else response.headers.set('content-type', sent);
      return response;
    });

    const response = await capture();

    const record = await store.read();
    expect(record.tokens).toMatchObject({ accessToken: ACCESS, refreshToken: REFRESH });
    expect(response.headers.get('content-type')).toBe(kept);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ access_token: record.tokens!.placeholder, token_type: 'Bearer', expires_in: 900 });
    expect(text).not.toContain(REFRESH);
  });

  it('captures a form-encoded token response (GitHub`s default) and hands the page a form again', async () => {
    const form = `access_token=${ACCESS}&expires_in=28800&refresh_token=${REFRESH}&refresh_token_expires_in=15811200&scope=&token_type=bearer`;
    for (const type of ['application/x-www-form-urlencoded; charset=utf-8', 'text/plain']) {
      const { capture, store } = setup(() => new Response(form, { headers: { 'Content-Type': type } }));

      const response = await capture();

      const record = await store.read();
      expect(record.tokens).toMatchObject({ accessToken: ACCESS, refreshToken: REFRESH, scope: '' });
      expect(record.tokens!.expiresAt).toBeGreaterThan(Date.now() + 28_000_000);
      expect(response.headers.get('content-type')).toBe(type);
      const text = await response.text();
      const fields: Record<string, string> = {};
      new URLSearchParams(text).forEach((value, name) => (fields[name] = value));
      expect(fields).toEqual({
        access_token: record.tokens!.placeholder,
        expires_in: '28800',
        refresh_token_expires_in: '15811200',
        scope: '',
        token_type: 'bearer',
      });
      expect(text).not.toContain(REFRESH);
    }
  });

  it.each([
    ['HTML', 'text/html', `<p>Your refresh_token is ${REFRESH}</p>`],
    ['tokens nested in JSON', 'application/json', JSON.stringify({ data: { access_token: ACCESS, refresh_token: REFRESH } })],
    ['camelCase JSON', 'application/json', JSON.stringify({ accessToken: ACCESS, refreshToken: REFRESH })],
    [
      'a second copy beside the top-level one',
      'application/json',
      JSON.stringify({ access_token: ACCESS, refresh_token: REFRESH, session: { refresh_token: REFRESH } }),
    ],
    ['an escaped name in a JSON string', 'application/json', `"refresh\\u005ftoken=${REFRESH}"`],
    ['a form that is not quite one', 'application/x-www-form-urlencoded', `access-token=${ACCESS}\nrefresh-token=${REFRESH}`],
  ])(
    'fails closed on %s that holds a refresh token: a 502, nothing stored, an error naming endpoint and type',
    async (_case, type, body) => {
      const { capture, store, errors, announcements } = setup(() => new Response(body, { headers: { 'Content-Type': type } }));

      const response = await capture();

      expect(response.status).toBe(502);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: 'unreadable_token_response' });
      expect(text).not.toContain(REFRESH);
      expect(text).not.toContain(ACCESS);
      expect(await store.read()).toMatchObject({ generation: 0, tokens: null });
      expect(announcements.all).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(TokenResponseError);
      expect(errors[0]!.message).toContain(`Failed to read the token response of ${LOGIN_ENDPOINT} (Content-Type: ${type})`);
      expect(errors[0]!.message).not.toContain(REFRESH);
    },
  );

  it('hands the page a network error, not part of a body, when the body fails midway', async () => {
    const { capture, store } = setup(() => {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new TypeError('connection reset'));
          sent = true;
          controller.enqueue(new TextEncoder().encode(`{"refresh_token":"${REFRESH}",`));
        },
      });
      return new Response(body, { headers: { 'Content-Type': 'application/json' } });
    });

    const response = await capture();

    expect(response.type).toBe('error');
    expect(await store.read()).toMatchObject({ tokens: null });
  });

  it('does not store a non-bearer token, still scrubs refresh_token, and reports the error', async () => {
    const { capture, store, announcements, errors } = setup(() => loginResponse({ token_type: 'DPoP' }));

    const response = await capture();

    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ token_type: 'DPoP', expires_in: 900, scope: 'read', user: { id: 7, name: 'Ada' } });
    expect(text).not.toContain(REFRESH);
    expect(text).not.toContain(ACCESS);
    expect(await store.read()).toMatchObject({ generation: 0, tokens: null });
    expect(announcements.all).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TokenResponseError);
    expect(errors[0]!.message).toBe(
      'Failed to read the token response: `token_type` is not "Bearer" (sender-constrained tokens need the `dpop` option)',
    );
  });

  it('with exposeAccessToken, an unusable response keeps access_token but still loses refresh_token', async () => {
    const { capture, store } = setup(() => loginResponse({ token_type: 'DPoP' }), { exposeAccessToken: true });
    const body = (await (await capture()).json()) as Record<string, unknown>;
    expect(body['access_token']).toBe(ACCESS);
    expect(body).not.toHaveProperty('refresh_token');
    expect((await store.read()).tokens).toBeNull();
  });

  it('a response with only a refresh_token is scrubbed and reported', async () => {
    const { capture, errors } = setup(() => Response.json({ refresh_token: REFRESH, user: 'ada' }));
    const text = await (await capture()).text();
    expect(JSON.parse(text)).toEqual({ user: 'ada' });
    expect(errors.map((e) => e.message)).toEqual(['Failed to read the token response: `access_token` is missing or not a string']);
  });

  it('in cookie mode still keeps a refresh_token the server sent out of the page and out of storage', async () => {
    const { capture, store } = setup(() => loginResponse(), { refreshTokenStorage: 'cookie' });
    const text = await (await capture()).text();
    expect(text).not.toContain(REFRESH);
    const record = await store.read();
    expect(record.tokens).toMatchObject({ accessToken: ACCESS, refreshToken: null });
  });
});
