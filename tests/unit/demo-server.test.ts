import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDemoApp } from '../../demo/server/create-demo-app.js';
import type { DemoAppOptions } from '../../demo/server/demo-app-options.js';
import type { RequestLogEntry } from '../../demo/server/request-log.js';

// The auth + API contract of the demo server, through the Hono app in-process (no sockets).

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
}

const START = Date.UTC(2030, 0, 1);
let now = START;
let app: ReturnType<typeof createDemoApp>;

function makeApp(options: DemoAppOptions = {}): ReturnType<typeof createDemoApp> {
  return createDemoApp({ now: () => now, distDir: '/nonexistent-demo-dist', ...options });
}

beforeEach(() => {
  now = START;
  app = makeApp({ accessTokenTtl: 30 });
});

function post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

async function login(username = 'ada', extra: Record<string, string> = {}): Promise<TokenResponse> {
  const res = await post('/auth/login', { username, password: 'secret', ...extra });
  expect(res.status).toBe(200);
  return (await res.json()) as TokenResponse;
}

function refresh(refreshToken: string): Promise<Response> {
  return postForm('/auth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'demo' });
}

async function me(accessToken: string): Promise<Response> {
  return app.request('/api/me', { headers: { Authorization: `Bearer ${accessToken}` } });
}

async function stats(): Promise<Record<string, number>> {
  return (await (await app.request('/demo/stats')).json()) as Record<string, number>;
}

function cookieValue(res: Response, name: string): string | undefined {
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [key, value] = (pair ?? '').split('=');
    if (key === name) return value;
  }
  return undefined;
}

describe('POST /auth/login', () => {
  it('answers an RFC 6749 token response with a signed access token and no-store', async () => {
    const res = await post('/auth/login', { username: 'ada', password: 'secret' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const body = (await res.json()) as TokenResponse;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 30 });
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ sub: 'ada', iat: Math.floor(START / 1000), exp: Math.floor(START / 1000) + 30 });
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.jti).toBe('string');

    const meRes = await me(body.access_token);
    expect(meRes.status).toBe(200);
    expect(await meRes.json()).toEqual({ sub: 'ada', sid: claims.sid, exp: claims.exp });
  });

  it('starts a new family per login', async () => {
    const a = decodeJwt((await login()).access_token);
    const b = decodeJwt((await login()).access_token);
    expect(a.sid).not.toBe(b.sid);
    expect(await stats()).toMatchObject({ loginCalls: 2, activeFamilies: 2 });
  });

  it.each([
    ['empty password', { username: 'ada', password: '' }],
    ['missing username', { password: 'x' }],
    ['non-string username', { username: 1, password: 'x' }],
  ])('rejects %s with 400 invalid_request', async (_label, body) => {
    const res = await post('/auth/login', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('rejects malformed JSON with 400 invalid_request', async () => {
    const res = await app.request('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('POST /auth/token (refresh_token grant)', () => {
  it('rotates: new access and refresh token in the same family', async () => {
    const first = await login();
    const res = await refresh(first.refresh_token!);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const second = (await res.json()) as TokenResponse;
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(decodeJwt(second.access_token).sid).toBe(decodeJwt(first.access_token).sid);
    expect((await me(second.access_token)).status).toBe(200);
    expect(await stats()).toMatchObject({ refreshCalls: 1, reuseDetected: 0 });
  });

  it('accepts a JSON body too', async () => {
    const first = await login();
    const res = await post('/auth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(res.status).toBe(200);
  });

  it('detects reuse of a rotated token, revokes the whole family, and leaves other families alone', async () => {
    const first = await login();
    const other = await login('bob');
    const second = (await (await refresh(first.refresh_token!)).json()) as TokenResponse;

    const reuse = await refresh(first.refresh_token!);
    expect(reuse.status).toBe(400);
    const error = (await reuse.json()) as { error: string; error_description?: string };
    expect(error.error).toBe('invalid_grant');
    expect(error.error_description).toEqual(expect.any(String));
    expect(error.error_description).not.toContain(first.refresh_token!);

    // The family is gone: its newest access token and refresh token no longer work.
    expect((await me(second.access_token)).status).toBe(401);
    expect((await me(first.access_token)).status).toBe(401);
    expect((await refresh(second.refresh_token!)).status).toBe(400);
    // Another user's family is untouched.
    expect((await me(other.access_token)).status).toBe(200);
    expect(await stats()).toMatchObject({ reuseDetected: 1, refreshCalls: 3, revokedFamilies: 1, activeFamilies: 1 });
  });

  it('answers invalid_grant without a description for unknown and expired refresh tokens', async () => {
    const unknown = await refresh('not-a-token');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'invalid_grant' });

    const session = await login();
    now += 24 * 60 * 60 * 1000;
    const expired = await refresh(session.refresh_token!);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ error: 'invalid_grant' });
    expect(await stats()).toMatchObject({ refreshCalls: 2, reuseDetected: 0 });
  });

  it('answers unsupported_grant_type and invalid_request', async () => {
    const unsupported = await postForm('/auth/token', { grant_type: 'password', username: 'a', password: 'b' });
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const missing = await postForm('/auth/token', { grant_type: 'refresh_token' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('cookie delivery of the refresh token', () => {
  it('sets an httpOnly SameSite=Strict cookie on /auth and leaves the token out of the body', async () => {
    const res = await post('/auth/login', { username: 'ada', password: 'x', refreshTokenDelivery: 'cookie' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenResponse;
    expect(body.refresh_token).toBeUndefined();
    expect(body.access_token).toEqual(expect.any(String));
    const [setCookie] = res.headers.getSetCookie();
    expect(setCookie).toMatch(/^demo_rt=[A-Za-z0-9_-]{43,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/auth');
  });

  it('refreshes from the cookie, answers in the cookie, and detects reuse of the old cookie', async () => {
    const loginRes = await post('/auth/login', { username: 'ada', password: 'x', refreshTokenDelivery: 'cookie' });
    const firstCookie = cookieValue(loginRes, 'demo_rt')!;
    const rotated = await postForm('/auth/token', { grant_type: 'refresh_token' }, { Cookie: `demo_rt=${firstCookie}` });
    expect(rotated.status).toBe(200);
    const rotatedBody = (await rotated.json()) as TokenResponse;
    expect(rotatedBody.refresh_token).toBeUndefined();
    const secondCookie = cookieValue(rotated, 'demo_rt');
    expect(secondCookie).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(secondCookie).not.toBe(firstCookie);
    expect((await me(rotatedBody.access_token)).status).toBe(200);

    const reuse = await postForm('/auth/token', { grant_type: 'refresh_token' }, { Cookie: `demo_rt=${firstCookie}` });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect(cookieValue(reuse, 'demo_rt')).toBe('');
    expect((await me(rotatedBody.access_token)).status).toBe(401);
    expect(await stats()).toMatchObject({ reuseDetected: 1 });
  });
});

describe('authorization code grant with PKCE', () => {
  const redirectUri = 'http://localhost:5173/callback';
  const verifier = 'v'.repeat(43) + '-._~0123456789';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  async function authorize(params: Record<string, string>): Promise<Response> {
    return app.request(`/oauth/authorize?${new URLSearchParams(params).toString()}`);
  }

  async function getCode(extra: Record<string, string> = {}): Promise<string> {
    const res = await authorize({
      response_type: 'code',
      client_id: 'demo',
      redirect_uri: redirectUri,
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('Location')!);
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('xyz');
    return location.searchParams.get('code')!;
  }

  function exchange(code: string, fields: Record<string, string> = {}): Promise<Response> {
    return postForm('/auth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'demo',
      code_verifier: verifier,
      ...fields,
    });
  }

  it('auto-approves, redirects with code and state, and exchanges the code once', async () => {
    const code = await getCode({ login_hint: 'grace' });
    const res = await exchange(code);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as TokenResponse;
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(decodeJwt(tokens.access_token).sub).toBe('grace');
    expect((await me(tokens.access_token)).status).toBe(200);

    // A replayed code fails and takes the tokens issued from it down (RFC 6749 §4.1.2).
    const replay = await exchange(code);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await me(tokens.access_token)).status).toBe(401);
    expect(await stats()).toMatchObject({ authorizationCodeExchanges: 2 });
  });

  it.each([
    ['a wrong verifier', { code_verifier: 'w'.repeat(43) }],
    ['no verifier', { code_verifier: '' }],
    ['another redirect_uri', { redirect_uri: 'http://localhost:5173/other' }],
    ['another client_id', { client_id: 'evil' }],
  ])('rejects %s with invalid_grant', async (_label, fields) => {
    const code = await getCode();
    const body: Record<string, string> = Object.fromEntries(
      Object.entries({ code_verifier: verifier, ...fields }).filter(([, value]) => value !== ''),
    );
    const res = await postForm('/auth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'demo',
      ...body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects a code older than 60 s', async () => {
    const code = await getCode();
    now += 60_000;
    expect((await exchange(code)).status).toBe(400);
  });

  it('works without PKCE when no challenge was sent', async () => {
    const res = await authorize({ response_type: 'code', client_id: 'demo', redirect_uri: redirectUri });
    const plainCode = new URL(res.headers.get('Location')!).searchParams.get('code')!;
    const tokens = await postForm('/auth/token', {
      grant_type: 'authorization_code',
      code: plainCode,
      redirect_uri: redirectUri,
      client_id: 'demo',
    });
    expect(tokens.status).toBe(200);
  });

  it('never redirects off this machine, and refuses the plain PKCE method', async () => {
    const offMachine = await authorize({ response_type: 'code', client_id: 'demo', redirect_uri: 'https://evil.test/cb' });
    expect(offMachine.status).toBe(400);
    expect(offMachine.headers.get('Location')).toBeNull();

    const plain = await authorize({
      response_type: 'code',
      client_id: 'demo',
      redirect_uri: redirectUri,
      code_challenge: 'abc',
      code_challenge_method: 'plain',
      state: 's',
    });
    expect(plain.status).toBe(302);
    const location = new URL(plain.headers.get('Location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('state')).toBe('s');
  });
});

describe('access token validity', () => {
  it('expires after ACCESS_TOKEN_TTL seconds', async () => {
    const { access_token } = await login();
    now += 29_000;
    expect((await me(access_token)).status).toBe(200);
    now += 1_000;
    expect((await me(access_token)).status).toBe(401);
  });

  it('rejects a token signed with another secret, and accepts one from a server sharing the secret', async () => {
    const shared = makeApp({ jwtSecret: 'shared-secret' });
    const twin = makeApp({ jwtSecret: 'shared-secret' });
    app = shared;
    const { access_token } = await login();
    app = twin;
    expect((await me(access_token)).status).toBe(200);
    app = makeApp({ jwtSecret: 'another-secret' });
    expect((await me(access_token)).status).toBe(401);
  });

  it('answers 401 with the invalid_token challenge for missing, malformed and forged tokens', async () => {
    for (const headers of [{}, { Authorization: 'Basic abc' }, { Authorization: 'Bearer' }, { Authorization: 'Bearer a.b.c' }]) {
      const res = await app.request('/api/me', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(await res.json()).toEqual({ error: 'invalid_token' });
    }
    expect(await stats()).toMatchObject({ apiCalls: 4, unauthorized: 4 });
  });
});

describe('POST /demo/expire', () => {
  it('invalidates every access token issued so far but lets refresh tokens mint valid ones, even within the same millisecond', async () => {
    const session = await login();
    const expire = await post('/demo/expire');
    expect(expire.status).toBe(204);
    expect((await me(session.access_token)).status).toBe(401);

    // The clock has not moved: ordering, not timing, decides.
    const res = await refresh(session.refresh_token!);
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as TokenResponse;
    expect((await me(fresh.access_token)).status).toBe(200);
    expect((await me(session.access_token)).status).toBe(401);
  });
});

describe('POST /demo/revoke', () => {
  it('revokes every family without touching counters', async () => {
    const a = await login('ada');
    const b = await login('bob');
    await me(a.access_token);
    const before = await stats();
    expect((await post('/demo/revoke')).status).toBe(204);
    expect((await me(a.access_token)).status).toBe(401);
    expect((await me(b.access_token)).status).toBe(401);
    expect((await refresh(b.refresh_token!)).status).toBe(400);
    const after = await stats();
    expect(after).toMatchObject({ loginCalls: before['loginCalls'], apiCalls: before['apiCalls']! + 2 });
    expect(after).toMatchObject({ activeFamilies: 0, revokedFamilies: 2 });
  });
});

describe('POST /demo/reset', () => {
  it('zeroes counters, forgets tokens and clears the request log', async () => {
    const session = await login();
    await me(session.access_token);
    expect((await post('/demo/reset')).status).toBe(204);
    const counters = await stats();
    for (const [name, value] of Object.entries(counters)) {
      if (name !== 'accessTokenTtl') expect([name, value]).toEqual([name, 0]);
    }
    expect((await me(session.access_token)).status).toBe(401);
    expect((await refresh(session.refresh_token!)).status).toBe(400);
    const log = (await (await app.request('/demo/requests')).json()) as RequestLogEntry[];
    // Only what came after the reset: /demo/stats, the two calls above and this request.
    expect(log.map((entry) => entry.path)).toEqual(['/demo/stats', '/api/me', '/auth/token', '/demo/requests']);
  });
});

describe('revocation and logout', () => {
  it('POST /oauth/revoke revokes the family of a refresh token or of an access token, and always answers 200', async () => {
    const a = await login();
    const res = await postForm('/oauth/revoke', { token: a.refresh_token!, token_type_hint: 'refresh_token' });
    expect(res.status).toBe(200);
    expect((await me(a.access_token)).status).toBe(401);

    const b = await login();
    expect((await postForm('/oauth/revoke', { token: b.access_token })).status).toBe(200);
    expect((await refresh(b.refresh_token!)).status).toBe(400);

    expect((await postForm('/oauth/revoke', { token: 'garbage' })).status).toBe(200);
    expect((await postForm('/oauth/revoke', {})).status).toBe(200);
    expect(await stats()).toMatchObject({ revocations: 4, revokedFamilies: 2 });
  });

  it('POST /auth/logout revokes the family named by the bearer token, even an expired one', async () => {
    const a = await login();
    now += 60_000;
    const res = await post('/auth/logout', undefined, { Authorization: `Bearer ${a.access_token}` });
    expect(res.status).toBe(204);
    expect((await refresh(a.refresh_token!)).status).toBe(400);
  });

  it('POST /auth/logout revokes the family of a body refresh token', async () => {
    const a = await login();
    expect((await postForm('/auth/logout', { refresh_token: a.refresh_token! })).status).toBe(204);
    expect((await me(a.access_token)).status).toBe(401);
  });

  it('POST /auth/logout revokes the family of the cookie and clears the cookie', async () => {
    const loginRes = await post('/auth/login', { username: 'ada', password: 'x', refreshTokenDelivery: 'cookie' });
    const { access_token } = (await loginRes.json()) as TokenResponse;
    const cookie = cookieValue(loginRes, 'demo_rt')!;
    const res = await post('/auth/logout', undefined, { Cookie: `demo_rt=${cookie}` });
    expect(res.status).toBe(204);
    expect(cookieValue(res, 'demo_rt')).toBe('');
    expect(res.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect((await me(access_token)).status).toBe(401);
    expect(await stats()).toMatchObject({ logoutCalls: 1 });
  });
});

describe('/api routes', () => {
  it('GET /api/items/:id answers { id } with no-store', async () => {
    const { access_token } = await login();
    const res = await app.request('/api/items/42', { headers: { Authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(await res.json()).toEqual({ id: '42' });
  });

  it.each([
    ['JSON', 'application/json', new TextEncoder().encode('{"b": 1,  "a":[2]}')],
    ['text', 'text/plain;charset=utf-8', new TextEncoder().encode('héllo\r\n')],
    ['binary', 'application/octet-stream', Uint8Array.from({ length: 256 }, (_, i) => i)],
    [
      'multipart',
      'multipart/form-data; boundary=XyZ',
      new TextEncoder().encode('--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n\u0000\u00ff\r\n--XyZ--\r\n'),
    ],
  ])('POST /api/echo returns %s bytes and Content-Type unchanged', async (_label, contentType, bytes) => {
    const { access_token } = await login();
    const res = await app.request('/api/echo', {
      method: 'POST',
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': contentType },
      body: bytes,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(contentType);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('POST /api/echo needs a valid bearer like every /api route', async () => {
    const res = await app.request('/api/echo', { method: 'POST', body: 'x' });
    expect(res.status).toBe(401);
  });

  it('GET /api/events streams events after Last-Event-ID', async () => {
    const { access_token } = await login();
    const res = await app.request('/api/events?count=2', {
      headers: { Authorization: `Bearer ${access_token}`, 'Last-Event-ID': '7' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((match) => match[1])).toEqual(['8', '9']);
  });

  it('GET /api/events?stallAfter=n goes silent after tick n and stays open until the client closes it', async () => {
    const { access_token } = await login();
    const res = await app.request('/api/events?interval=20&stallAfter=2', { headers: { Authorization: `Bearer ${access_token}` } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('id: 2\n')) text += (await reader.read()).value ?? '';
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((match) => match[1])).toEqual(['1', '2']);
    await expect.poll(async () => (await stats()).eventStreamsStalled).toBe(1);
    expect((await stats()).stalledStreamsClosed).toBe(0);
    await reader.cancel();
    await expect.poll(async () => (await stats()).stalledStreamsClosed).toBe(1);
  });

  it('counts every /api request and every 401', async () => {
    const { access_token } = await login();
    await me(access_token);
    await app.request('/api/items/1');
    await app.request('/api/nowhere', { headers: { Authorization: `Bearer ${access_token}` } });
    expect(await stats()).toMatchObject({ apiCalls: 3, unauthorized: 1 });
  });
});

describe('GET /demo/requests', () => {
  it('records method, path, query, auth scheme and origin, but never a token value', async () => {
    const session = await login();
    const rotated = (await (await refresh(session.refresh_token!)).json()) as TokenResponse;
    await app.request('/api/items/1?x=1', {
      headers: { Authorization: `Bearer ${rotated.access_token}`, Origin: 'http://localhost:4000' },
    });
    await app.request('/api/me', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    // Credentials smuggled into URLs are recorded as markers, which is how a test proves a leak.
    await app.request(`/nocors/ping?access_token=${rotated.access_token}&rt=${rotated.refresh_token!}&q=ok`);
    await app.request(`/api/items/${encodeURIComponent(`Bearer ${rotated.access_token}`)}`);
    await app.request('/?code=abc&state=s1');

    const res = await app.request('/demo/requests');
    expect(res.status).toBe(200);
    const log = (await res.json()) as RequestLogEntry[];
    const serialised = JSON.stringify(log);
    for (const secret of [session.access_token, session.refresh_token!, rotated.access_token, rotated.refresh_token!]) {
      expect(serialised).not.toContain(secret);
    }
    expect(serialised).not.toContain('dXNlcjpwYXNz');

    expect(log[2]).toMatchObject({
      method: 'GET',
      path: '/api/items/1',
      query: 'x=1',
      authorization: 'bearer',
      origin: 'http://localhost:4000',
    });
    expect(log[2]!.at).toBe(START);
    expect(log[3]).toMatchObject({ path: '/api/me', authorization: 'other', origin: null });
    expect(log[0]).toMatchObject({ method: 'POST', path: '/auth/login', authorization: 'none' });
    expect(log[4]).toMatchObject({ path: '/nocors/ping', query: 'access_token=[jwt]&rt=[refresh_token]&q=ok' });
    expect(log[5]).toMatchObject({ path: '/api/items/[jwt]' });
    expect(log[6]).toMatchObject({ path: '/', query: 'code=[redacted]&state=s1' });
    expect(log.at(-1)).toMatchObject({ path: '/demo/requests' });
  });

  it('keeps the last 2000 requests', async () => {
    for (let i = 0; i < 2005; i += 1) await app.request(`/nocors/ping?i=${i}`);
    const log = (await (await app.request('/demo/requests')).json()) as RequestLogEntry[];
    expect(log).toHaveLength(2000);
    expect(log[0]).toMatchObject({ query: 'i=6' });
    expect(log.at(-1)).toMatchObject({ path: '/demo/requests' });
  });
});

describe('CORS', () => {
  it.each(['/api/me', '/auth/login', '/oauth/revoke', '/demo/stats'])(
    'reflects the Origin with credentials on %s and answers preflights',
    async (path) => {
      const preflight = await app.request(path, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://127.0.0.1:4000',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,last-event-id',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:4000');
      expect(preflight.headers.get('Access-Control-Allow-Credentials')).toBe('true');
      expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase().split(',')).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'last-event-id']),
      );
      expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('POST');

      const res = await app.request(path, { headers: { Origin: 'http://127.0.0.1:4000' } });
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:4000');
      expect(res.headers.get('Vary')).toContain('Origin');
    },
  );

  it('does not count preflights as API calls', async () => {
    await app.request('/api/me', {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:4000', 'Access-Control-Request-Method': 'GET' },
    });
    expect(await stats()).toMatchObject({ apiCalls: 0, unauthorized: 0, preflights: 1 });
  });

  it('never sends CORS headers under /nocors/', async () => {
    const res = await app.request('/nocors/ping', { headers: { Origin: 'http://127.0.0.1:4000' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('pong');
    const preflight = await app.request('/nocors/ping', {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:4000', 'Access-Control-Request-Method': 'GET' },
    });
    for (const response of [res, preflight]) {
      const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
      expect(corsHeaders).toEqual([]);
    }
  });
});
