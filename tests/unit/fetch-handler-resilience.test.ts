import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenStore } from '../../sw/token-store.js';
import { barrier, deferred } from './helpers/deferred.js';
import { eventually, settle } from './helpers/eventually.js';
import { expiredToken, tokenResponse } from './helpers/fake-network.js';
import { API_ORIGIN, tokenSet } from './helpers/fixtures.js';
import { MemoryStorage } from './helpers/memory-storage.js';
import { apiRequest, authorizationOf, proxyHarness as setup } from './helpers/proxy-harness.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const HOUR = 3_600_000;
/**
 * A token from a login at NOW, for an hour, enters its refresh window at 30 % of its lifetime
 * (a login's window is the spread one, and the harness's store draws 0).
 */
const REFRESH_AT = NOW + HOUR * 0.3;

/**
 * The clock stands still unless a test moves it. `setTimeout` is faked too, for the handler's own
 * waits (refreshTimeoutMs, Retry-After); `setImmediate` stays real, since fake-indexeddb runs on
 * it, and the refresher's retries sleep through the harness's recorded sleep.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Marks when a response promise settles, to tell "still waiting" from "answered". */
function track(response: Promise<Response>): { readonly settled: boolean; response: Promise<Response> } {
  const tracked = { settled: false, response };
  void response.then(
    () => (tracked.settled = true),
    () => (tracked.settled = true),
  );
  return tracked;
}

const serverError = (code: number, headers: HeadersInit = {}) => new Response('unavailable', { status: code, headers });

describe('FetchHandler: transient refresh failures', () => {
  it('500, 500, then 200: one refresh cycle, and every waiting request is replayed with the new token', async () => {
    const N = 10;
    const { send, api, auth, isValid, apiRequests, refreshCalls, announcements, sleeps, status } = await setup();
    api.validToken = 'at-2';
    const allExpired = barrier(N);
    api.respond = async (sent) => {
      if (isValid(sent)) return Response.json({ path: new URL(sent.url).pathname });
      await allExpired.arrive();
      return expiredToken();
    };
    const answers = [serverError(500), serverError(500), tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' })];
    auth.respond = () => answers.shift()!;

    const responses = await Promise.all(Array.from({ length: N }, (_, i) => send(apiRequest(`/api/items/${i}`))));

    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(200));
    expect(refreshCalls()).toHaveLength(3);
    expect(announcements.of('refresh-started')).toHaveLength(1);
    expect(announcements.of('refresh-failed').map((f) => [f.attempt, f.final, f.reason, f.status])).toEqual([
      [1, false, 'server-error', 500],
      [2, false, 'server-error', 500],
    ]);
    expect(announcements.of('token-refreshed')).toMatchObject([{ attempts: 3, waiters: N, generation: 2 }]);
    expect(sleeps.delays).toEqual([500, 1000]);
    expect(apiRequests().filter((s) => authorizationOf(s) === 'Bearer at-2')).toHaveLength(N);
    expect(status.counters.replayed).toBe(N);
  });

  it('when every attempt fails, requests get their 401; during the pause a 401 is answered at once without a refresh call; afterwards it refreshes again', async () => {
    const { send, api, auth, refreshCalls, announcements, machine } = await setup({ backoff: { maxAttempts: 2 } });
    api.validToken = 'at-2';
    auth.respond = () => serverError(503);

    const first = await send(apiRequest('/api/a'));
    expect(first.status).toBe(401);
    expect(refreshCalls()).toHaveLength(2);
    const [final] = announcements.of('refresh-failed').filter((f) => f.final);
    expect(final).toBeDefined();
    expect(machine.state()).toBe('backoff');

    vi.setSystemTime(final!.retryAt! - 1);
    const duringPause = await send(apiRequest('/api/b'));
    expect(duringPause.status).toBe(401);
    expect(await duringPause.text()).toBe('token expired');
    expect(refreshCalls()).toHaveLength(2);
    expect(announcements.of('refresh-failed').filter((f) => f.final)).toHaveLength(1);

    vi.setSystemTime(final!.retryAt!);
    auth.respond = () => tokenResponse({ access_token: 'at-2' });
    const afterPause = await send(apiRequest('/api/c'));
    expect(afterPause.status).toBe(200);
    expect(refreshCalls()).toHaveLength(3);
    expect(machine.state()).toBe('authenticated');
  });

  it('a malformed refresh answer keeps the tokens and hands back the original 401, with no retry', async () => {
    const { send, api, auth, store, refreshCalls, announcements, sleeps } = await setup();
    api.validToken = 'at-2';
    auth.respond = () => new Response('{"access_token": ', { status: 200, headers: { 'Content-Type': 'application/json' } });

    const response = await send(apiRequest('/api/me'));

    expect(response.status).toBe(401);
    expect(refreshCalls()).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
    expect(announcements.of('refresh-failed')).toMatchObject([{ reason: 'malformed-response', final: true }]);
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
  });
});

describe('FetchHandler: waiting is bounded', () => {
  it('a refresh that hangs: each waiting request gets its original 401 after refreshTimeoutMs, not later, not sooner', async () => {
    const N = 3;
    const { send, api, auth, refresher, status, refreshCalls } = await setup({ refreshTimeoutMs: 50 });
    api.respond = (sent) => expiredToken(`original 401 for ${new URL(sent.url).pathname}`);
    auth.respond = () => new Promise<Response>(() => undefined); // never answers, ignores aborts

    const pending = Array.from({ length: N }, (_, i) => track(send(apiRequest(`/api/items/${i}`))));
    await eventually(() => refresher.inFlight?.info.waiters === N, 'every request waits for the refresh');

    await vi.advanceTimersByTimeAsync(49);
    expect(pending.map((p) => p.settled)).toEqual(Array(N).fill(false));
    await vi.advanceTimersByTimeAsync(1);
    const responses = await Promise.all(pending.map((p) => p.response));

    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(401));
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(
      Array.from({ length: N }, (_, i) => `original 401 for /api/items/${i}`),
    );
    expect(refresher.inFlight).toBeDefined(); // the refresh itself is still hanging
    expect(refreshCalls()).toHaveLength(1);
    expect(status.pendingRequests).toBe(0);
  });

  it('a request that arrives during a hanging token-rejecting refresh waits at most refreshTimeoutMs in all, before and after its 401', async () => {
    const { send, api, auth, refresher, apiRequests, refreshCalls } = await setup({ refreshTimeoutMs: 50 });
    auth.respond = () => new Promise<Response>(() => undefined);
    api.respond = () => expiredToken();

    const first = track(send(apiRequest('/api/a')));
    await eventually(() => refresher.inFlight !== undefined, 'the refresh started');
    await vi.advanceTimersByTimeAsync(20); // /api/b arrives 20 ms into the wait
    const second = track(send(apiRequest('/api/b')));
    await eventually(() => refresher.inFlight?.info.waiters === 2, 'both wait');
    expect(apiRequests()).toHaveLength(1); // /api/b waits before it is sent

    await vi.advanceTimersByTimeAsync(30);
    expect(first.settled).toBe(true);
    expect((await first.response).status).toBe(401);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(19);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // Its budget is spent: /api/b goes out with the token it had and its 401 comes straight back.
    await eventually(() => second.settled, '/api/b is answered');
    expect((await second.response).status).toBe(401);
    expect(apiRequests()).toHaveLength(2);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('over maxWaitingRequests, a request gets its 401 at once and queue-full is announced once per refresh', async () => {
    const { send, api, auth, refresher, announcements, refreshCalls } = await setup({ maxWaitingRequests: 2 });
    api.validToken = 'at-2';
    const refreshAnswer = deferred<Response>();
    auth.respond = () => refreshAnswer.promise;

    const waiting = [send(apiRequest('/api/a')), send(apiRequest('/api/b'))];
    await eventually(() => refresher.inFlight?.info.waiters === 2, 'two requests wait');

    const overTheCap = await send(apiRequest('/api/c'));
    expect(overTheCap.status).toBe(401);
    expect(await overTheCap.text()).toBe('token expired');
    expect((await send(apiRequest('/api/d'))).status).toBe(401);
    expect(announcements.of('queue-full')).toEqual([{ waiting: 2, limit: 2 }]);
    expect(refresher.inFlight?.info.waiters).toBe(2);

    refreshAnswer.resolve(tokenResponse({ access_token: 'at-2' }));
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200]);
    expect(refreshCalls()).toHaveLength(1);
  });
});

describe('FetchHandler: refreshing ahead of expiry', () => {
  const hourToken = { tokens: { issuedAt: NOW, expiresAt: NOW + HOUR } };

  it('before the window opens, no refresh starts', async () => {
    const { send, refreshCalls, extended, session } = await setup({}, hourToken);
    expect(session.tokens?.refreshAt).toBe(REFRESH_AT);
    vi.setSystemTime(REFRESH_AT - 1);
    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(refreshCalls()).toHaveLength(0);
    expect(extended).toEqual([]);
  });

  it('inside the window, requests go out at once with the current token while exactly one background refresh runs under waitUntil', async () => {
    const { send, auth, api, apiRequests, refreshCalls, extended, refresher, announcements } = await setup({}, hourToken);
    vi.setSystemTime(REFRESH_AT);
    const refreshAnswer = deferred<Response>();
    auth.respond = () => refreshAnswer.promise;

    const responses = await Promise.all([send(apiRequest('/api/a')), send(apiRequest('/api/b')), send(apiRequest('/api/c'))]);

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-1', 'Bearer at-1']);
    expect(refresher.inFlight?.info).toMatchObject({
      trigger: { kind: 'proactive', url: `${API_ORIGIN}/api/a` },
      tokenRejected: false,
      waiters: 0,
    });
    expect(extended).toHaveLength(1);
    expect(extended[0]).toBe(refresher.inFlight?.promise);

    await eventually(() => refreshCalls().length === 1, 'the refresh is on the wire');
    refreshAnswer.resolve(tokenResponse({ access_token: 'at-2' }));
    expect(await extended[0]).toMatchObject({ ok: true, refreshed: true });
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('token-refreshed')).toMatchObject([{ trigger: { kind: 'proactive' }, waiters: 0 }]);

    api.validToken = 'at-2';
    expect((await send(apiRequest('/api/d'))).status).toBe(200);
    expect(apiRequests().map(authorizationOf).at(-1)).toBe('Bearer at-2');
    expect(refreshCalls()).toHaveLength(1); // the new token is outside its window
  });

  it('refreshAhead: false never refreshes before a 401', async () => {
    const { send, refreshCalls, extended, session } = await setup({ refreshAhead: false }, hourToken);
    expect(session.tokens?.refreshAt).toBeNull();
    vi.setSystemTime(NOW + HOUR - 1);
    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(refreshCalls()).toHaveLength(0);
    expect(extended).toEqual([]);
  });

  it('a token expired by the worker`s clock is refreshed before the request is sent: no 401 round trip', async () => {
    const { send, api, apiRequests, refreshCalls, refresher, announcements } = await setup({}, hourToken);
    api.validToken = 'at-2';
    vi.setSystemTime(NOW + HOUR);

    const responses = await Promise.all([send(apiRequest('/api/a')), send(apiRequest('/api/b'))]);

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-2', 'Bearer at-2']);
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('token-refreshed')).toMatchObject([{ trigger: { kind: 'expired' }, waiters: 2 }]);
    expect(refresher.inFlight).toBeUndefined();
  });

  it('an expired token joins a background refresh already under way instead of being sent', async () => {
    const { send, auth, api, apiRequests, refreshCalls } = await setup({}, hourToken);
    vi.setSystemTime(REFRESH_AT);
    const refreshAnswer = deferred<Response>();
    auth.respond = () => refreshAnswer.promise;
    expect((await send(apiRequest('/api/a'))).status).toBe(200);

    vi.setSystemTime(NOW + HOUR);
    api.validToken = 'at-2';
    const late = send(apiRequest('/api/b'));
    await eventually(() => refreshCalls().length === 1, 'the refresh is on the wire');
    refreshAnswer.resolve(tokenResponse({ access_token: 'at-2' }));

    expect((await late).status).toBe(200);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(refreshCalls()).toHaveLength(1);
  });

  it('during a pause a request inside the refresh window starts no background refresh', async () => {
    const { send, store, machine, refreshCalls, extended } = await setup({}, hourToken);
    await store.pauseRefresh(NOW + HOUR, 1, NOW);
    machine.restore(await store.read(), NOW);
    vi.setSystemTime(REFRESH_AT);

    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(extended).toEqual([]);
    expect(refreshCalls()).toHaveLength(0);
  });

  it('during a pause an expired token is sent as it is: requests are not held', async () => {
    const { send, auth, api, apiRequests, refreshCalls, machine } = await setup({ backoff: { maxAttempts: 1 } }, hourToken);
    auth.respond = () => serverError(503);
    vi.setSystemTime(NOW + HOUR);
    api.respond = () => expiredToken();
    expect((await send(apiRequest('/api/a'))).status).toBe(401);
    expect(machine.state()).toBe('backoff');
    const calls = refreshCalls().length;

    expect((await send(apiRequest('/api/b'))).status).toBe(401);
    expect(refreshCalls()).toHaveLength(calls);
    expect(apiRequests().map(authorizationOf).at(-1)).toBe('Bearer at-1');
  });
});

describe('FetchHandler: apiRetry', () => {
  /** Waits until the handler sleeps for a Retry-After, as its debug log says. */
  const retrying = (logLines: string[], count = 1) =>
    eventually(() => logLines.filter((line) => line.includes(' api-retry ')).length === count, 'the handler waits to retry');

  it('retries a GET answered 503 with Retry-After, after exactly that long', async () => {
    const { send, api, apiRequests, logLines, status } = await setup({ apiRetry: true });
    const answers = [serverError(503, { 'Retry-After': '2' }), Response.json({ ok: true })];
    api.respond = () => answers.shift()!;

    const response = track(send(apiRequest('/api/me')));
    await retrying(logLines);
    await vi.advanceTimersByTimeAsync(1999);
    expect(apiRequests()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    expect((await response.response).status).toBe(200);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', 'Bearer at-1']);
    expect(status.counters.apiRetries).toBe(1);
  });

  it('retries a 429 and a PUT with the same body bytes', async () => {
    const { send, api, apiRequests, logLines } = await setup({ apiRetry: true });
    const answers = [serverError(429, { 'Retry-After': '1' }), new Response(null, { status: 204 })];
    api.respond = () => answers.shift()!;

    const response = send(apiRequest('/api/items/1', { method: 'PUT', body: '{"done":true}' }));
    await retrying(logLines);
    await vi.advanceTimersByTimeAsync(1000);

    expect((await response).status).toBe(204);
    expect(apiRequests().map((s) => [s.method, s.text])).toEqual([
      ['PUT', '{"done":true}'],
      ['PUT', '{"done":true}'],
    ]);
  });

  it('gives up after maxRetries and hands back the last answer', async () => {
    const { send, api, apiRequests, logLines, status } = await setup({ apiRetry: { maxRetries: 2 } });
    api.respond = () => serverError(503, { 'Retry-After': '1' });

    const response = send(apiRequest('/api/me'));
    await retrying(logLines, 1);
    await vi.advanceTimersByTimeAsync(1000);
    await retrying(logLines, 2);
    await vi.advanceTimersByTimeAsync(1000);

    expect((await response).status).toBe(503);
    expect(apiRequests()).toHaveLength(3);
    expect(status.counters.apiRetries).toBe(2);
  });

  it.each([
    ['a POST (not idempotent)', { apiRetry: true }, { method: 'POST', body: 'x' }, { 'Retry-After': '1' }],
    ['a Retry-After above maxDelayMs', { apiRetry: { maxDelayMs: 5000 } }, {}, { 'Retry-After': '6' }],
    ['no Retry-After', { apiRetry: true }, {}, {}],
    ['apiRetry off (the default)', {}, {}, { 'Retry-After': '1' }],
    ['a method left out of apiRetry.methods', { apiRetry: { methods: ['GET'] } }, { method: 'DELETE' }, { 'Retry-After': '1' }],
  ] as const)('does not retry %s: the 503 goes to the page at once', async (_case, overrides, init, headers) => {
    const { send, api, apiRequests, status } = await setup(overrides);
    api.respond = () => serverError(503, headers);

    const response = await send(apiRequest('/api/me', init));

    expect(response.status).toBe(503);
    expect(apiRequests()).toHaveLength(1);
    expect(status.counters.apiRetries).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('FetchHandler: the session ends while a refresh is under way', () => {
  it('a logout during a refresh stays a logout: the waiting request gets its 401 and later requests carry no token', async () => {
    const { send, api, auth, store, machine, apiRequests, announcements, refreshCalls } = await setup();
    api.validToken = 'at-2';
    const refreshAnswer = deferred<Response>();
    auth.respond = () => refreshAnswer.promise;

    const waiting = send(apiRequest('/api/a'));
    await eventually(() => refreshCalls().length === 1, 'the refresh is on the wire');
    await store.clear('logged-out');
    machine.send({ type: 'logged-out' });
    refreshAnswer.resolve(tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }));

    expect((await waiting).status).toBe(401);
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'logged-out' });
    expect(JSON.stringify(await store.read())).not.toMatch(/at-2|rt-2/);
    expect(announcements.of('token-refreshed')).toEqual([]);
    expect(machine.state()).toBe('anonymous');

    expect((await send(apiRequest('/api/b'))).status).toBe(401);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1', null]);
    expect(refreshCalls()).toHaveLength(1);
  });
});

describe('FetchHandler: startup', () => {
  it('every request waits for the worker to be ready before it reads the session or sends anything', async () => {
    const storage = new MemoryStorage();
    await new TokenStore('seed', 'indexeddb', { storage }).save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    const release = storage.hold(); // the session's first read is slow
    const { send, network } = await setup({}, { storage, login: false, awaitReady: false });

    const response = track(send(apiRequest('/api/me')));
    await settle();
    expect(response.settled).toBe(false);
    expect(network.sent).toHaveLength(0);

    release();
    expect((await response.response).status).toBe(200);
    expect(network.sent).toHaveLength(1);
  });
});

describe('FetchHandler: the debug log', () => {
  it('never contains a token, even across refreshes and replays', async () => {
    const { send, api, auth, logLines } = await setup({ apiRetry: true });
    api.validToken = 'at-refreshed-eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.sig';
    auth.respond = () => tokenResponse({ access_token: api.validToken, refresh_token: 'rt-refreshed-secret' });

    expect((await send(apiRequest('/api/me?secret=query-value'))).status).toBe(200);

    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toMatch(/at-1|rt-1|at-refreshed|rt-refreshed|eyJ|query-value/);
    expect(logLines.some((line) => line.includes(' replay '))).toBe(true);
  });
});
