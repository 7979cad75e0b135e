import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenStore } from '../../sw/token-store.js';
import { barrier, deferred } from './helpers/deferred.js';
import { dispatchFetch } from './helpers/fetch-event.js';
import { readSettlesWithin } from './helpers/read-settles.js';
import { apiJson, expiredToken, tokenResponse, type SentRequest } from './helpers/fake-network.js';
import { API_ORIGIN, APP_ORIGIN, LOGIN_ENDPOINT, TOKEN_ENDPOINT, tokenSet } from './helpers/fixtures.js';
import { apiRequest, authorizationOf, proxyHarness as setup } from './helpers/proxy-harness.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Length and SHA-256 of a body: byte-exact, and cheap to compare for large bodies. */
async function fingerprint(bytes: Uint8Array<ArrayBuffer>): Promise<{ length: number; sha256: string }> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { length: bytes.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
}

describe('FetchHandler: requests it leaves alone', () => {
  function navigation(url: string, method = 'GET'): Request {
    const request = new Request(url, method === 'GET' ? {} : { method, body: 'user=ada' });
    // Node cannot construct a navigation request; the handler only looks at `mode`.
    Object.defineProperty(request, 'mode', { value: 'navigate' });
    return request;
  }

  it.each([
    ['another origin', new Request('https://cdn.example.com/app.js')],
    ['a path outside the prefixes', apiRequest('/public/logo.png')],
    ['a path that only starts like a prefix', apiRequest('/apiary')],
    ['a lookalike host', new Request('https://api.example.com.evil.test/api/me')],
    ['plain http', new Request('http://api.example.com/api/me')],
    ['another port', new Request('https://api.example.com:8443/api/me')],
    ['userinfo pointing elsewhere', new Request('https://evil.test/api/me?https://api.example.com')],
    ['a GET to a token endpoint', new Request(LOGIN_ENDPOINT)],
    ['a navigation to a protected URL', navigation(`${API_ORIGIN}/api/me`)],
    ['a form POST navigation to a token endpoint', navigation(LOGIN_ENDPOINT, 'POST')],
  ])('does not call respondWith for %s', async (_case, request) => {
    const { handler, network, status } = await setup();
    expect(dispatchFetch(handler, request)).toBeUndefined();
    expect(network.sent).toHaveLength(0);
    expect(status.counters.requests).toBe(0);
  });
});

describe('FetchHandler: token endpoints', () => {
  it.each([LOGIN_ENDPOINT, `${LOGIN_ENDPOINT}?next=%2Fhome`, TOKEN_ENDPOINT])(
    'captures a POST to %s and scrubs the response',
    async (url) => {
      const { send, store, auth } = await setup({}, { login: false });
      auth.respond = () => tokenResponse({ access_token: 'at-login', refresh_token: 'rt-login' });

      const response = await send(new Request(url, { method: 'POST', body: 'grant_type=password' }));

      const record = await store.read();
      expect(record.tokens).toMatchObject({ accessToken: 'at-login', refreshToken: 'rt-login' });
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ access_token: record.tokens!.placeholder, token_type: 'Bearer' });
      expect(text).not.toMatch(/at-login|rt-login/);
    },
  );

  it('tells the worker about the login (onLogin) and announces it once', async () => {
    const { send, logins, machine, announcements } = await setup({}, { login: false });
    expect(machine.state()).toBe('anonymous');
    await send(new Request(LOGIN_ENDPOINT, { method: 'POST', body: 'user=ada' }));
    expect(logins()).toBe(1);
    expect(machine.state()).toBe('authenticated');
    expect(announcements.types()).toEqual(['state-changed', 'logged-in']);
  });

  it('a failed login does not count as one', async () => {
    const { send, loginServer, logins, machine, announcements } = await setup({}, { login: false });
    loginServer.respond = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    expect((await send(new Request(LOGIN_ENDPOINT, { method: 'POST', body: 'user=ada&password=wrong' }))).status).toBe(400);
    expect(logins()).toBe(0);
    expect(machine.state()).toBe('anonymous');
    expect(announcements.all).toEqual([]);
  });
});

describe('FetchHandler: attaching the token', () => {
  it('attaches the current token and passes the response through', async () => {
    const { send, apiRequests, status } = await setup();
    const response = await send(apiRequest('/api/me?x=1'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/api/me' });
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1']);
    expect(status.counters).toMatchObject({ requests: 1, replayed: 0 });
    expect(status.pendingRequests).toBe(0);
  });

  it.each(['Bearer', 'bearer'])('replaces the placeholder (%s scheme) with the current token', async (scheme) => {
    const { send, session, apiRequests } = await setup();
    await send(apiRequest('/api/me', { headers: { Authorization: `${scheme} ${session.tokens!.placeholder}` } }));
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1']);
  });

  it('replaces a placeholder from an earlier session too', async () => {
    const { send, apiRequests } = await setup();
    await send(apiRequest('/api/me', { headers: { Authorization: 'Bearer sw-auth-proxy.from-an-old-tab' } }));
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1']);
  });

  it('replaces an access token it handed out earlier in the session with the current one', async () => {
    const { send, store, api, apiRequests } = await setup({ exposeAccessToken: true });
    await store.save(tokenSet({ accessToken: 'at-2', refreshToken: null }), true);
    await store.save(tokenSet({ accessToken: 'at-3', refreshToken: null }), true);
    api.validToken = 'at-3';

    const responses = await Promise.all([
      send(apiRequest('/api/a', { headers: { Authorization: 'Bearer at-1' } })),
      send(apiRequest('/api/b', { headers: { Authorization: 'Bearer at-2' } })),
      send(apiRequest('/api/c', { headers: { Authorization: 'Bearer at-3' } })),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-3', 'Bearer at-3', 'Bearer at-3']);
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer foreign-token', 'bearer other.jwt.value', 'DPoP eyJhbGciOiJFUzI1NiJ9', 'Bearer'])(
    'keeps the app`s own Authorization header (%s) and returns its 401 without refreshing',
    async (header) => {
      const { send, api, apiRequests, refreshCalls, status } = await setup();
      api.respond = () => expiredToken('not yours');

      const response = await send(apiRequest('/api/me', { headers: { Authorization: header } }));

      expect(response.status).toBe(401);
      expect(await response.text()).toBe('not yours');
      expect(apiRequests().map(authorizationOf)).toEqual([header]);
      expect(refreshCalls()).toHaveLength(0);
      expect(status.counters.replayed).toBe(0);
    },
  );

  it('when logged out, drops a placeholder header and sends the request without a token', async () => {
    const { send, apiRequests, refreshCalls } = await setup({}, { login: false });
    const response = await send(apiRequest('/api/me', { headers: { Authorization: 'Bearer sw-auth-proxy.stale' } }));
    expect(response.status).toBe(401);
    expect(apiRequests().map(authorizationOf)).toEqual([null]);
    expect(refreshCalls()).toHaveLength(0);
  });

  it('when logged out, keeps a foreign token', async () => {
    const { send, apiRequests } = await setup({}, { login: false });
    await send(apiRequest('/api/me', { headers: { Authorization: 'Bearer foreign' } }));
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer foreign']);
  });

  it('upgrades a no-cors request to cors so the Authorization header is not dropped', async () => {
    const { send, apiRequests } = await setup();
    await send(apiRequest('/api/avatar.png', { mode: 'no-cors' }));
    const [sent] = apiRequests();
    expect(sent!.request.mode).toBe('cors');
    expect(authorizationOf(sent!)).toBe('Bearer at-1');
  });

  it('upgrades a same-origin no-cors request to same-origin', async () => {
    const { send, network } = await setup({ protectedOrigins: [{ origin: APP_ORIGIN, pathPrefixes: ['/api'] }] });
    await send(new Request(`${APP_ORIGIN}/api/avatar.png`, { mode: 'no-cors' }));
    const [sent] = network.to(APP_ORIGIN);
    expect(sent!.request.mode).toBe('same-origin');
    expect(authorizationOf(sent!)).toBe('Bearer at-1');
  });
});

describe('FetchHandler: 401, refresh, replay', () => {
  it('refreshes and replays a request once with the new token', async () => {
    const { send, api, apiRequests, refreshCalls, status, announcements, store } = await setup();
    api.validToken = 'at-2';

    const response = await send(apiRequest('/api/me'));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/api/me' });
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(refreshCalls()).toHaveLength(1);
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
    expect(announcements.of('token-refreshed')).toHaveLength(1);
    expect(status.counters).toMatchObject({ requests: 1, replayed: 1 });
    expect(status.pendingRequests).toBe(0);
  });

  it('50 concurrent 401s make exactly one refresh call, and all 50 are replayed with the new token', async () => {
    const N = 50;
    const { send, api, isValid, apiRequests, refreshCalls, status, announcements, locks } = await setup();
    api.validToken = 'at-2';
    const allExpired = barrier(N);
    api.respond = async (sent) => {
      if (isValid(sent)) return Response.json({ path: new URL(sent.url).pathname });
      await allExpired.arrive(); // every request meets the expired token before any 401 is answered
      return expiredToken();
    };

    const responses = await Promise.all(Array.from({ length: N }, (_, i) => send(apiRequest(`/api/items/${i}`))));

    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(200));
    expect(await Promise.all(responses.map((r) => r.json()))).toEqual(Array.from({ length: N }, (_, i) => ({ path: `/api/items/${i}` })));
    expect(refreshCalls()).toHaveLength(1);
    const sends = apiRequests();
    expect(sends).toHaveLength(2 * N);
    for (let i = 0; i < N; i++) {
      const ofItem = sends.filter((s) => new URL(s.url).pathname === `/api/items/${i}`);
      expect(ofItem.map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-2']);
    }
    expect(announcements.of('token-refreshed')).toMatchObject([
      { waiters: N, attempts: 1, trigger: { kind: 'unauthorized', method: 'GET' } },
    ]);
    expect(locks.maxActive).toBe(1);
    expect(status.counters).toMatchObject({ requests: N, replayed: N });
    expect(status.pendingRequests).toBe(0);
  });

  it('events name the request by origin and path, with identifiers in the path redacted as in the log', async () => {
    const { send, api, announcements } = await setup();
    api.validToken = 'at-2';
    const id = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'; // an opaque 36-character identifier
    const response = await send(apiRequest(`/api/users/${id}/files?sig=secret`));

    expect(response.status).toBe(200);
    const [refreshed] = announcements.of('token-refreshed');
    expect(refreshed?.trigger.url).toBe(`${API_ORIGIN}/api/users/[redacted]/files`);
    expect(JSON.stringify(announcements.of('refresh-started'))).not.toContain(id);
  });

  it('a request that arrives during a refresh waits for it instead of spending a round trip on a 401', async () => {
    const { send, api, auth, network, refreshCalls } = await setup();
    api.validToken = 'at-2';
    const refreshOnTheWire = deferred();
    const refreshAnswer = deferred<Response>();
    auth.respond = () => {
      refreshOnTheWire.resolve();
      return refreshAnswer.promise;
    };

    const first = send(apiRequest('/api/a'));
    await refreshOnTheWire.promise;
    const second = send(apiRequest('/api/b'));
    refreshAnswer.resolve(tokenResponse({ access_token: 'at-2' }));

    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([200, 200]);
    expect(network.to(`${API_ORIGIN}/api/b`).map(authorizationOf)).toEqual(['Bearer at-2']);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('uses the token another worker stored while this one waited for the lock, without a refresh call', async () => {
    const { send, api, config, locks, lockName, apiRequests, refreshCalls } = await setup();
    api.validToken = 'at-other';

    const otherWorker = locks.hold(lockName);
    await otherWorker.granted;
    const response = send(apiRequest('/api/me'));
    await locks.requested(2); // our refresh is queued behind the other worker
    await new TokenStore(config.databaseName, config.refreshTokenStorage).save(
      tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }),
      true,
    );
    otherWorker.release();

    expect((await response).status).toBe(200);
    expect(refreshCalls()).toHaveLength(0);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-other']);
  });

  it('replays at most once: a replay that gets 401 again is returned as it is', async () => {
    const { send, api, apiRequests, refreshCalls } = await setup();
    api.respond = () => expiredToken(`401 #${apiRequests().length}`);

    const response = await send(apiRequest('/api/me'));

    expect(response.status).toBe(401);
    expect(await response.text()).toBe('401 #2');
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(refreshCalls()).toHaveLength(1);
  });

  it.each([
    ['a Basic challenge', { 'WWW-Authenticate': 'Basic realm="admin"' }],
    ['a Bearer challenge for another error', { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope"' }],
    ['a Bearer invalid_request', { 'WWW-Authenticate': 'Bearer error="invalid_request", error_description="malformed"' }],
  ])('does not refresh on a 401 with %s', async (_case, headers) => {
    const { send, api, apiRequests, refreshCalls } = await setup();
    api.respond = () => new Response('other 401', { status: 401, headers });
    const response = await send(apiRequest('/api/me'));
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('other 401');
    expect(apiRequests()).toHaveLength(1);
    expect(refreshCalls()).toHaveLength(0);
  });

  it.each([
    ['no challenge', {}],
    ['a Bearer challenge without an error code', { 'WWW-Authenticate': 'Bearer realm="api"' }],
    ['a bare Bearer challenge', { 'WWW-Authenticate': 'Bearer' }],
    ['an unquoted invalid_token', { 'WWW-Authenticate': 'Bearer error=invalid_token' }],
    ['an upper-case INVALID_TOKEN', { 'WWW-Authenticate': 'bearer realm="api", error="INVALID_TOKEN"' }],
    ['Bearer offered among other schemes', { 'WWW-Authenticate': 'Basic realm="x", Bearer realm="api"' }],
  ])('refreshes on a 401 with %s', async (_case, headers) => {
    const { send, api, isValid, refreshCalls } = await setup();
    api.validToken = 'at-2';
    api.respond = (sent) => (isValid(sent) ? new Response('ok') : new Response(null, { status: 401, headers }));
    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('does not touch 403s and 5xx', async () => {
    const { send, api, apiRequests, refreshCalls } = await setup();
    const answers = [new Response('forbidden', { status: 403 }), new Response('down', { status: 503 })];
    api.respond = () => answers.shift()!;
    expect((await send(apiRequest('/api/a'))).status).toBe(403);
    expect((await send(apiRequest('/api/b'))).status).toBe(503);
    expect(apiRequests()).toHaveLength(2);
    expect(refreshCalls()).toHaveLength(0);
  });

  it('returns the original 401 and keeps the session when the refresh fails transiently', async () => {
    const { send, api, auth, store, announcements } = await setup();
    api.validToken = 'at-2';
    auth.respond = () => new Response('maintenance', { status: 503 });

    const response = await send(apiRequest('/api/me'));

    expect(response.status).toBe(401);
    expect(await response.text()).toBe('token expired');
    expect((await store.read()).tokens?.accessToken).toBe('at-1');
    expect(announcements.of('refresh-failed').at(-1)).toMatchObject({
      final: true,
      error: { name: 'RefreshFailedError', message: 'Failed to refresh the access token: the server answered 503' },
    });
    expect(announcements.of('error')).toEqual([]);
  });
});

describe('FetchHandler: event streams that go silent', () => {
  const eventSource = (path: string) => apiRequest(path, { headers: { Accept: 'text/event-stream' } });

  it('ends a protected event stream silent for eventStreams.idleTimeoutMs, announces it without the query, and counts it', async () => {
    const { send, api, announcements, status, logLines } = await setup({ eventStreams: { idleTimeoutMs: 1000 } });
    const id = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    let cancelled = false;
    api.respond = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(new TextEncoder().encode('retry: 250\n\nid: 1\ndata: a\n\n')),
          cancel: () => void (cancelled = true),
        }),
        { headers: { 'Content-Type': 'text/event-stream' } },
      );
    const response = await send(eventSource(`/api/events/${id}?topic=secret`), 'client-7');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const reader = response.body!.getReader();
      await reader.read();
      const read = reader.read();
      await vi.advanceTimersByTimeAsync(1000);
      expect(await read).toEqual({ done: true, value: undefined });
    } finally {
      vi.useRealTimers();
    }
    expect(cancelled).toBe(true);
    expect(announcements.of('event-stream-stalled')).toEqual([
      { url: `${API_ORIGIN}/api/events/[redacted]`, idleMs: 1000, clientId: 'client-7' },
    ]);
    expect(status.counters.eventStreamsStalled).toBe(1);
    expect(logLines.join('\n')).toContain('event-stream-stalled');
    expect(JSON.stringify(announcements.all) + logLines.join('\n')).not.toMatch(/secret|a1B2c3/);
  });

  it('leaves event streams alone when eventStreams is off (the default)', async () => {
    const { send, api, status } = await setup();
    api.respond = () =>
      new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode(': hi\n\n')) }), {
        headers: { 'Content-Type': 'text/event-stream' },
      });
    const response = await send(eventSource('/api/events'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const reader = response.body!.getReader();
      await reader.read();
      expect(await readSettlesWithin(reader, 600_000)).toBe(false);
      void reader.cancel();
    } finally {
      vi.useRealTimers();
    }
    expect(status.counters.eventStreamsStalled).toBe(0);
  });
});

describe('FetchHandler: requests in flight', () => {
  it('sends at most requestsInFlight at once; the others wait their turn and go out with the token current by then', async () => {
    const { send, api, isValid, apiRequests, refreshCalls, status } = await setup({}, { requestsInFlight: 2 });
    api.validToken = 'at-2';
    let inFlight = 0;
    let mostInFlight = 0;
    const firstTwoExpired = barrier(2);
    api.respond = async (sent) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        if (isValid(sent)) return Response.json({ path: new URL(sent.url).pathname });
        await firstTwoExpired.arrive();
        return expiredToken();
      } finally {
        inFlight--;
      }
    };

    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => send(apiRequest(`/api/items/${i}`))));

    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(mostInFlight).toBe(2);
    expect(refreshCalls()).toHaveLength(1);
    const tokensOf = (i: number) =>
      apiRequests()
        .filter((s) => new URL(s.url).pathname === `/api/items/${i}`)
        .map(authorizationOf);
    // The first two held their slots through 401, refresh and replay; the rest never met the old token.
    expect([0, 1].map(tokensOf)).toEqual([
      ['Bearer at-1', 'Bearer at-2'],
      ['Bearer at-1', 'Bearer at-2'],
    ]);
    expect([2, 3, 4].map(tokensOf)).toEqual([['Bearer at-2'], ['Bearer at-2'], ['Bearer at-2']]);
    expect(status.pendingRequests).toBe(0);
  });
});

describe('FetchHandler: when the refresh token is rejected', () => {
  it('clears the session once, announces session-expired once, and every waiting request gets its own 401', async () => {
    const N = 10;
    const { send, api, auth, store, apiRequests, refreshCalls, announcements, status, machine } = await setup();
    api.validToken = 'at-2';
    const allExpired = barrier(N);
    api.respond = async (sent) => {
      await allExpired.arrive();
      return expiredToken(`original 401 for ${new URL(sent.url).pathname}`);
    };
    auth.respond = () => Response.json({ error: 'invalid_grant' }, { status: 400 });

    const responses = await Promise.all(Array.from({ length: N }, (_, i) => send(apiRequest(`/api/items/${i}`))));

    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(401));
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(
      Array.from({ length: N }, (_, i) => `original 401 for /api/items/${i}`),
    );
    expect(refreshCalls()).toHaveLength(1);
    expect(apiRequests()).toHaveLength(N);
    const [started] = announcements.of('refresh-started');
    expect(announcements.of('session-expired')).toEqual([{ reason: 'invalid_grant', refreshId: started!.refreshId }]);
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'expired' });
    expect(machine.state()).toBe('expired');
    expect(status.counters.replayed).toBe(0);
  });

  it('afterwards sends requests without a token and never refreshes again', async () => {
    const { send, api, auth, apiRequests, refreshCalls, announcements } = await setup();
    api.validToken = 'at-2';
    auth.respond = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    await send(apiRequest('/api/a'));

    const later = await Promise.all([send(apiRequest('/api/b')), send(apiRequest('/api/c'))]);

    expect(later.map((r) => r.status)).toEqual([401, 401]);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', null, null]);
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('session-expired')).toHaveLength(1);
  });

  it('a 401 that arrives after another request ended the session makes no refresh call', async () => {
    const { send, api, auth, refreshCalls, announcements } = await setup();
    api.validToken = 'at-2';
    auth.respond = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    const secondOnTheWire = deferred();
    const secondAnswer = deferred<Response>();
    api.respond = (sent) => {
      if (new URL(sent.url).pathname !== '/api/slow') return expiredToken();
      secondOnTheWire.resolve();
      return secondAnswer.promise;
    };

    // A POST: a GET out with the same token would be recalled by the first 401 instead.
    const slow = send(apiRequest('/api/slow', { method: 'POST', body: 'x' }));
    await secondOnTheWire.promise; // sent with at-1 before the session ended
    expect((await send(apiRequest('/api/a'))).status).toBe(401);
    secondAnswer.resolve(expiredToken('late 401'));

    expect(await (await slow).text()).toBe('late 401');
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('session-expired')).toHaveLength(1);
  });
});

describe('FetchHandler: recalling what is out with a rejected token', () => {
  /** A server that has not answered yet: the request stays out until its signal aborts. */
  const unanswered = (sent: SentRequest) =>
    new Promise<Response>((_, reject) => {
      const { signal } = sent.request;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });

  it('a 401 recalls the GETs still out with its token; they go again with the new one, and each page request gets one answer', async () => {
    const { send, api, isValid, apiRequests, refreshCalls, status, logLines } = await setup();
    api.validToken = 'at-2';
    const held: SentRequest[] = [];
    const allOut = barrier(4);
    api.respond = async (sent) => {
      if (isValid(sent)) return apiJson({ path: new URL(sent.url).pathname });
      if (new URL(sent.url).pathname === '/api/first') {
        await allOut.arrive();
        return expiredToken();
      }
      held.push(sent);
      void allOut.arrive();
      return unanswered(sent);
    };

    const paths = ['/api/first', '/api/a', '/api/b', '/api/c'];
    const responses = await Promise.all(paths.map((path) => send(apiRequest(path))));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await Promise.all(responses.map((r) => r.json()))).toEqual(paths.map((path) => ({ path })));
    expect(held.map((sent) => sent.request.signal.aborted)).toEqual([true, true, true]);
    for (const path of paths) {
      expect(
        apiRequests()
          .filter((sent) => new URL(sent.url).pathname === path)
          .map(authorizationOf),
      ).toEqual(['Bearer at-1', 'Bearer at-2']);
    }
    expect(refreshCalls()).toHaveLength(1);
    expect(status.counters).toMatchObject({ requests: 4, replayed: 4 });
    expect(status.pendingRequests).toBe(0);
    expect(logLines.filter((line) => line.includes('requests-recalled'))).toEqual([
      '[sw-auth-proxy] requests-recalled generation=1 count=3',
    ]);
  });

  it('never recalls a POST: it may have reached the server, so only its own 401 replays it', async () => {
    const { send, api, isValid, apiRequests, refreshCalls } = await setup();
    api.validToken = 'at-2';
    const postOut = deferred<SentRequest>();
    const postAnswer = deferred<Response>();
    api.respond = (sent) => {
      if (isValid(sent)) return apiJson({ path: new URL(sent.url).pathname });
      if (sent.method !== 'POST') return expiredToken();
      postOut.resolve(sent);
      return postAnswer.promise;
    };

    const post = send(apiRequest('/api/orders', { method: 'POST', body: '{"n":1}' }));
    const postSent = await postOut.promise;
    expect((await send(apiRequest('/api/a'))).status).toBe(200);
    expect(postSent.request.signal.aborted).toBe(false);
    postAnswer.resolve(expiredToken());

    expect((await post).status).toBe(200);
    expect(
      apiRequests()
        .filter((sent) => sent.method === 'POST')
        .map((sent) => [authorizationOf(sent), sent.text]),
    ).toEqual([
      ['Bearer at-1', '{"n":1}'],
      ['Bearer at-2', '{"n":1}'],
    ]);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('a late 401 of an older token recalls nothing sent with the newer one', async () => {
    const { send, api, isValid, refreshCalls } = await setup();
    api.validToken = 'at-2';
    const postOut = deferred();
    const postAnswer = deferred<Response>();
    const newOut = deferred<SentRequest>();
    const newAnswer = deferred<Response>();
    api.respond = (sent) => {
      const path = new URL(sent.url).pathname;
      if (path === '/api/orders' && !isValid(sent)) {
        postOut.resolve();
        return postAnswer.promise;
      }
      if (!isValid(sent)) return expiredToken();
      if (path !== '/api/new') return apiJson({ path });
      newOut.resolve(sent);
      return newAnswer.promise;
    };

    const post = send(apiRequest('/api/orders', { method: 'POST', body: 'x' }));
    await postOut.promise; // out with at-1
    expect((await send(apiRequest('/api/a'))).status).toBe(200); // its 401 refreshed to at-2
    const fresh = send(apiRequest('/api/new'));
    const freshSent = await newOut.promise; // out with at-2
    postAnswer.resolve(expiredToken()); // the late 401 of at-1

    expect((await post).status).toBe(200);
    expect(freshSent.request.signal.aborted).toBe(false);
    newAnswer.resolve(apiJson({ path: '/api/new' }));
    expect((await fresh).status).toBe(200);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('the page aborting a recallable GET aborts it, and it is not sent again', async () => {
    const { send, api, apiRequests } = await setup();
    const out = deferred<SentRequest>();
    api.respond = (sent) => {
      out.resolve(sent);
      return unanswered(sent);
    };
    const controller = new AbortController();

    const response = send(apiRequest('/api/slow', { signal: controller.signal }));
    const sent = await out.promise;
    controller.abort();

    await expect(response).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent.request.signal.aborted).toBe(true);
    expect(apiRequests()).toHaveLength(1);
  });

  it('a recalled GET whose session ended goes out once more as it was, and the page gets that answer', async () => {
    const { send, api, auth, apiRequests, refreshCalls, announcements } = await setup();
    auth.respond = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    const slowOut = deferred();
    let slowSends = 0;
    api.respond = (sent) => {
      if (new URL(sent.url).pathname !== '/api/slow') return expiredToken();
      if (++slowSends > 1) return expiredToken('second 401');
      slowOut.resolve();
      return unanswered(sent);
    };
    api.validToken = 'at-2';

    const slow = send(apiRequest('/api/slow'));
    await slowOut.promise;
    expect((await send(apiRequest('/api/a'))).status).toBe(401);

    const answer = await slow;
    expect([answer.status, await answer.text()]).toEqual([401, 'second 401']);
    expect(
      apiRequests()
        .filter((sent) => new URL(sent.url).pathname === '/api/slow')
        .map(authorizationOf),
    ).toEqual(['Bearer at-1', 'Bearer at-1']);
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('session-expired')).toHaveLength(1);
  });
});

describe('FetchHandler: replaying bodies byte for byte', () => {
  const bodies: [string, () => RequestInit][] = [
    ['JSON', () => ({ body: JSON.stringify({ message: 'héllo ✓', list: [1, 2, 3] }), headers: { 'Content-Type': 'application/json' } })],
    ['text', () => ({ body: 'line one\r\nline two ✓\u0000end', headers: { 'Content-Type': 'text/plain;charset=UTF-8' } })],
    [
      'binary (all 256 byte values)',
      () => ({ body: Uint8Array.from({ length: 256 }, (_, i) => i), headers: { 'Content-Type': 'application/octet-stream' } }),
    ],
    ['binary (1 MiB)', () => ({ body: Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) % 256) })],
    ['URL-encoded', () => ({ body: new URLSearchParams({ q: 'a b&c', name: 'Zoë' }) })],
    [
      'multipart (FormData with a Blob)',
      () => {
        const form = new FormData();
        form.append('title', 'report ✓');
        form.append(
          'file',
          new Blob([Uint8Array.from({ length: 256 }, (_, i) => 255 - i)], { type: 'application/octet-stream' }),
          'data.bin',
        );
        return { body: form };
      },
    ],
  ];

  it.each(bodies)('%s: the replay sends the same bytes and Content-Type as the first send', async (_case, init) => {
    const { send, api, apiRequests } = await setup();
    api.validToken = 'at-2';
    const request = apiRequest('/api/echo', { method: 'POST', ...init() });
    const expected = await fingerprint(new Uint8Array(await request.clone().arrayBuffer()));
    const expectedType = request.headers.get('content-type');

    const response = await send(request);

    expect(response.status).toBe(200);
    const [first, replay] = apiRequests();
    expect(apiRequests()).toHaveLength(2);
    expect([authorizationOf(first!), authorizationOf(replay!)]).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(await fingerprint(first!.body)).toEqual(expected);
    expect(await fingerprint(replay!.body)).toEqual(expected);
    expect(first!.headers.get('content-type')).toBe(expectedType);
    expect(replay!.headers.get('content-type')).toBe(expectedType);
  });

  it('multipart: the boundary in Content-Type is the one in the replayed bytes, and the file bytes are intact', async () => {
    const { send, api, apiRequests } = await setup();
    api.validToken = 'at-2';
    const file = Uint8Array.from({ length: 256 }, (_, i) => i);
    const form = new FormData();
    form.append('file', new Blob([file]), 'all-bytes.bin');

    await send(apiRequest('/api/upload', { method: 'POST', body: form }));

    const replay = apiRequests()[1]!;
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(replay.headers.get('content-type') ?? '')?.[1];
    expect(boundary).toBeDefined();
    const latin1 = new TextDecoder('latin1').decode(replay.body);
    expect(latin1.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(latin1.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    const start = latin1.indexOf('\r\n\r\n') + 4;
    expect(replay.body.slice(start, start + 256)).toEqual(file);
  });

  it('carries method, credentials, cache, redirect, referrer, integrity, keepalive and headers to both sends', async () => {
    const { send, api, apiRequests } = await setup();
    api.validToken = 'at-2';
    const integrity = 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

    await send(
      apiRequest('/api/items/1', {
        method: 'PUT',
        body: '{"done":true}',
        headers: { 'Content-Type': 'application/json', 'X-Trace-Id': 't-42' },
        credentials: 'include',
        cache: 'no-store',
        redirect: 'manual',
        referrer: `${APP_ORIGIN}/items/1`,
        referrerPolicy: 'strict-origin',
        integrity,
        keepalive: true,
      }),
    );

    const sends = apiRequests();
    expect(sends).toHaveLength(2);
    for (const sent of sends) {
      const { request } = sent;
      expect({
        method: request.method,
        credentials: request.credentials,
        cache: request.cache,
        redirect: request.redirect,
        referrer: request.referrer,
        referrerPolicy: request.referrerPolicy,
        integrity: request.integrity,
        keepalive: request.keepalive,
        mode: request.mode,
        trace: sent.headers.get('x-trace-id'),
        body: sent.text,
      }).toEqual({
        method: 'PUT',
        credentials: 'include',
        cache: 'no-store',
        redirect: 'manual',
        referrer: `${APP_ORIGIN}/items/1`,
        referrerPolicy: 'strict-origin',
        integrity,
        keepalive: true,
        mode: 'cors',
        trace: 't-42',
        body: '{"done":true}',
      });
    }
  });

  it('the page`s abort signal still aborts the replay', async () => {
    const { send, api, isValid } = await setup();
    api.validToken = 'at-2';
    const replayOnTheWire = deferred<Request>();
    api.respond = (sent) => {
      if (!isValid(sent)) return expiredToken();
      const { signal } = sent.request;
      replayOnTheWire.resolve(sent.request);
      return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const controller = new AbortController();

    const response = send(apiRequest('/api/slow', { signal: controller.signal }));
    const replay = await replayOnTheWire.promise;
    expect(replay.signal.aborted).toBe(false);
    controller.abort();

    await expect(response).rejects.toMatchObject({ name: 'AbortError' });
    expect(replay.signal.aborted).toBe(true);
  });

  it('a body over maxReplayBodyBytes is sent once whole, and its 401 returned with a replay-skipped announcement', async () => {
    const { send, api, apiRequests, refreshCalls, announcements, status } = await setup({ maxReplayBodyBytes: 64 });
    api.validToken = 'at-2';
    const body = Uint8Array.from({ length: 100 }, (_, i) => i);

    const response = await send(apiRequest('/api/upload?name=a.bin', { method: 'POST', body }), 'tab-7');

    expect(response.status).toBe(401);
    expect(await response.text()).toBe('token expired');
    const sends = apiRequests();
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body).toEqual(body);
    expect(authorizationOf(sends[0]!)).toBe('Bearer at-1');
    expect(refreshCalls()).toHaveLength(0);
    expect(announcements.of('replay-skipped')).toEqual([
      { method: 'POST', url: `${API_ORIGIN}/api/upload`, reason: 'body-too-large', clientId: 'tab-7' },
    ]);
    expect(status.counters).toMatchObject({ replaysSkipped: 1, replayed: 0 });
  });

  it('a body the page keeps open goes out at once; its 401 comes back with replay-skipped body-streaming, not replayed', async () => {
    const { send, api, network, apiRequests, refreshCalls, announcements, status } = await setup({ replayBodyTimeoutMs: 50 });
    api.validToken = 'at-2';
    network.readBodies = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    controller.enqueue(Uint8Array.of(1, 2, 3));
    const request = apiRequest('/api/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);

    const response = await send(request, 'tab-7');

    expect(response.status).toBe(401);
    const sends = apiRequests();
    expect(sends).toHaveLength(1);
    expect(authorizationOf(sends[0]!)).toBe('Bearer at-1');
    // What went out is the page's own stream, still open: what it wrote so far, then more.
    const reader = sends[0]!.request.body!.getReader();
    expect([...(await reader.read()).value!]).toEqual([1, 2, 3]);
    controller.enqueue(Uint8Array.of(4));
    expect([...(await reader.read()).value!]).toEqual([4]);
    expect(refreshCalls()).toHaveLength(0);
    expect(announcements.of('replay-skipped')).toEqual([
      { method: 'POST', url: `${API_ORIGIN}/api/upload`, reason: 'body-streaming', clientId: 'tab-7' },
    ]);
    expect(status.counters).toMatchObject({ replaysSkipped: 1, replayed: 0 });
  });

  it('a stream body that ends within replayBodyTimeoutMs is replayed byte for byte', async () => {
    const { send, api, apiRequests } = await setup({ replayBodyTimeoutMs: 60_000 });
    api.validToken = 'at-2';
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Uint8Array.of(1, 2));
        c.enqueue(Uint8Array.of(3));
        c.close();
      },
    });

    const response = await send(apiRequest('/api/upload', { method: 'POST', body, duplex: 'half' } as RequestInit));

    expect(response.status).toBe(200);
    expect(apiRequests().map((s) => [...s.body])).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('a body of exactly maxReplayBodyBytes is still replayed', async () => {
    const { send, api, apiRequests, announcements } = await setup({ maxReplayBodyBytes: 64 });
    api.validToken = 'at-2';
    const body = new Uint8Array(64).fill(9);

    expect((await send(apiRequest('/api/upload', { method: 'POST', body }))).status).toBe(200);
    expect(apiRequests().map((s) => s.body)).toEqual([body, body]);
    expect(announcements.of('replay-skipped')).toEqual([]);
  });
});
