import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BURST_MS } from '../../sw/cors-diagnosis.js';
import { ALLOWING, type CorsPolicy } from './helpers/cors-browser.js';
import { API_ORIGIN, APP_ORIGIN, TOKEN_ENDPOINT } from './helpers/fixtures.js';
import { apiRequest, proxyHarness } from './helpers/proxy-harness.js';

const AUTH_ORIGIN = new URL(TOKEN_ENDPOINT).origin;

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A logged-in worker whose fetch checks CORS as a browser does, the API's policy changed by `api`. */
async function worker(api: Partial<CorsPolicy>, { auth = {}, ...overrides }: { auth?: Partial<CorsPolicy>; now?: () => number } = {}) {
  const harness = await proxyHarness(
    { refreshIdempotencyKey: true },
    {
      cors: { [API_ORIGIN]: { ...ALLOWING, ...api }, [AUTH_ORIGIN]: { ...ALLOWING, ...auth } },
      ...(overrides.now ? { now: overrides.now } : {}),
    },
  );
  /** What the page's fetch got: a status (its body read), or the name of what it rejected with. */
  const outcome = (request: Request) =>
    harness.send(request).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      (error: unknown) => (error as Error).name,
    );
  /** Every probe and diagnosis the handler started has settled. */
  const settled = () => Promise.allSettled(harness.extended);
  const corsErrors = () => harness.errors.filter((error) => error.name === 'CorsError').map((error) => error.message);
  return { ...harness, outcome, settled, corsErrors };
}

describe('CORS diagnosis of a protected request', () => {
  it('an API that does not allow the Authorization header: the page gets its network error, the error event and status say why', async () => {
    const proxy = await worker({ allowHeaders: ['Content-Type'] });

    expect(await proxy.outcome(apiRequest('/api/me'))).toBe('TypeError');
    await proxy.settled();

    const message = `Failed to reach the API at ${API_ORIGIN}: it does not allow the Authorization header (Access-Control-Allow-Headers)`;
    expect(proxy.corsErrors()).toEqual([message]);
    expect(proxy.status.lastError).toEqual({ name: 'CorsError', message });
    expect(proxy.announcements.of('error')).toEqual([{ name: 'CorsError', message }]);
  });

  it('the probe is a HEAD without the token, a body or credentials; a POST is never sent again', async () => {
    const proxy = await worker({ allowHeaders: [] });

    const post = apiRequest('/api/items', { method: 'POST', body: 'a body', credentials: 'include' });
    expect(await proxy.outcome(post)).toBe('TypeError');
    await proxy.settled();

    // The POST's preflight was refused, so the POST itself never left; then the one probe.
    expect(
      proxy.arrivals.map(({ method, authorization, credentials, bodyBytes }) => ({ method, authorization, credentials, bodyBytes })),
    ).toEqual([
      { method: 'OPTIONS', authorization: 'Bearer at-1', credentials: 'include', bodyBytes: 0 },
      { method: 'HEAD', authorization: null, credentials: 'omit', bodyBytes: 0 },
    ]);
    expect(proxy.corsErrors()).toEqual([
      `Failed to reach the API at ${API_ORIGIN}: it does not allow the Authorization header (Access-Control-Allow-Headers) or credentials (Access-Control-Allow-Credentials: true, with Access-Control-Allow-Origin ${APP_ORIGIN}, not *)`,
    ]);
  });

  it('an API that does not allow the page origin is told apart from one that does not answer', async () => {
    const wrongOrigin = await worker({ allowOrigin: 'https://elsewhere.example.com' });
    expect(await wrongOrigin.outcome(apiRequest('/api/me'))).toBe('TypeError');
    await wrongOrigin.settled();
    expect(wrongOrigin.corsErrors()).toEqual([
      `Failed to reach the API at ${API_ORIGIN}: it does not allow requests from ${APP_ORIGIN} (Access-Control-Allow-Origin, on every answer, errors too)`,
    ]);

    const down = await worker({ reachable: false });
    expect(await down.outcome(apiRequest('/api/me'))).toBe('TypeError');
    await down.settled();
    expect(down.corsErrors()).toEqual([
      `Failed to reach the API at ${API_ORIGIN}: it did not answer at all, not even without CORS (down, unreachable, or an untrusted certificate)`,
    ]);
  });

  it('names every header and the method the server would have to allow, as servers spell them', async () => {
    const proxy = await worker({ allowHeaders: [], allowMethods: ['GET'] });
    const put = apiRequest('/api/items/1', {
      method: 'PUT',
      body: '{}',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': '7' },
    });

    expect(await proxy.outcome(put)).toBe('TypeError');
    await proxy.settled();

    expect(proxy.corsErrors()).toEqual([
      `Failed to reach the API at ${API_ORIGIN}: it does not allow the Authorization, Content-Type, X-Request-Id headers (Access-Control-Allow-Headers) or the PUT method (Access-Control-Allow-Methods)`,
    ]);
  });

  it('probes once per origin and burst: concurrent and repeated failures add nothing until the origin has been quiet', async () => {
    let now = 1_000_000;
    const proxy = await worker({ allowHeaders: [] }, { now: () => now });

    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => proxy.outcome(apiRequest(`/api/items/${i}`))))).toEqual(
      Array(20).fill('TypeError'),
    );
    now += BURST_MS - 1;
    expect(await proxy.outcome(apiRequest('/api/me'))).toBe('TypeError');
    now += BURST_MS - 1;
    expect(await proxy.outcome(apiRequest('/api/me'))).toBe('TypeError');
    await proxy.settled();
    const probes = () => proxy.arrivals.filter((arrival) => arrival.method === 'HEAD').length;
    expect(probes()).toBe(1);
    expect(proxy.corsErrors()).toHaveLength(1);

    // A failure after a quiet minute is a new burst: maybe the server changed.
    now += BURST_MS;
    expect(await proxy.outcome(apiRequest('/api/me'))).toBe('TypeError');
    await proxy.settled();
    expect(probes()).toBe(2);
    expect(proxy.corsErrors()).toHaveLength(2);
  });

  it('an aborted request, a same-origin failure and an API that allows everything are not probed', async () => {
    const proxy = await worker({});
    expect(await proxy.outcome(apiRequest('/api/me'))).toBe(200);

    const aborted = new AbortController();
    aborted.abort();
    expect(await proxy.outcome(apiRequest('/api/me', { signal: aborted.signal }))).toBe('AbortError');

    const ownOrigin = await proxyHarness(
      { protectedOrigins: [{ origin: APP_ORIGIN, pathPrefixes: ['/api'] }] },
      { cors: { [API_ORIGIN]: ALLOWING } },
    );
    ownOrigin.api.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(ownOrigin.send(new Request(`${APP_ORIGIN}/api/me`))).rejects.toThrow(TypeError);
    await Promise.allSettled(ownOrigin.extended);

    await proxy.settled();
    expect(proxy.arrivals.filter((arrival) => arrival.method === 'HEAD')).toEqual([]);
    expect(ownOrigin.arrivals.filter((arrival) => arrival.method === 'HEAD')).toEqual([]);
    expect([...proxy.errors, ...ownOrigin.errors]).toEqual([]);
  });
});

describe('CORS diagnosis of a refresh', () => {
  it('a refresh endpoint that does not allow Idempotency-Key: the error event says so, and so does every later refresh failure', async () => {
    let now = Date.now();
    const proxy = await worker({}, { auth: { allowHeaders: ['Content-Type'] }, now: () => now });
    proxy.api.validToken = 'at-2';

    expect(await proxy.outcome(apiRequest('/api/me'))).toBe(401);
    await proxy.settled();
    await vi.waitFor(() => expect(proxy.corsErrors()).toHaveLength(1));

    const reason = `does not allow the Idempotency-Key header (Access-Control-Allow-Headers)`;
    expect(proxy.corsErrors()).toEqual([`Failed to reach the refresh endpoint at ${AUTH_ORIGIN}: it ${reason}`]);
    // The error event, or a refresh failure after it that says the same.
    expect(proxy.status.lastError?.message).toMatch(
      new RegExp(`the refresh endpoint at ${AUTH_ORIGIN}:? (it )?${reason.replace(/[()]/g, '\\$&')}$`),
    );
    // The refresh's own body and refresh token never went out again: only the probe did.
    const toAuth = proxy.arrivals.filter((arrival) => arrival.url === TOKEN_ENDPOINT);
    expect(toAuth.filter((arrival) => arrival.method === 'POST')).toEqual([]);
    expect(toAuth.filter((arrival) => arrival.method === 'HEAD')).toEqual([
      { method: 'HEAD', url: TOKEN_ENDPOINT, authorization: null, credentials: 'omit', bodyBytes: 0 },
    ]);

    // Once the probe has found out, a failed refresh says why itself: the next one, after the pause.
    const failures = () => proxy.announcements.of('refresh-failed').map((failure) => failure.error.message);
    const before = failures().length;
    expect(proxy.machine.blockedUntil - now).toBeLessThan(BURST_MS);
    now = proxy.machine.blockedUntil + 1;
    expect(await proxy.outcome(apiRequest('/api/me'))).toBe(401);
    expect(failures().length).toBeGreaterThan(before);
    expect(failures().at(-1)).toBe(`Failed to refresh the access token: the refresh endpoint at ${AUTH_ORIGIN} ${reason}`);
    expect(proxy.status.lastError).toEqual({ name: 'RefreshFailedError', message: failures().at(-1) });
  });

  it('an API and a refresh endpoint on one origin are probed apart: each is told what it refused', async () => {
    const proxy = await proxyHarness(
      { refreshEndpoint: `${API_ORIGIN}/oauth/token`, refreshIdempotencyKey: true },
      { cors: { [API_ORIGIN]: { ...ALLOWING, allowHeaders: [] } }, tokens: { expiresAt: Date.now() - 1000 } },
    );

    // The token has expired: the request waits for a refresh, which CORS refuses; then it goes out.
    await expect(proxy.send(apiRequest('/api/me'))).rejects.toThrow(TypeError);
    await vi.waitFor(() => expect(proxy.errors.filter((error) => error.name === 'CorsError')).toHaveLength(2));

    expect(proxy.errors.map((error) => error.message).sort()).toEqual([
      `Failed to reach the API at ${API_ORIGIN}: it does not allow the Authorization header (Access-Control-Allow-Headers)`,
      `Failed to reach the refresh endpoint at ${API_ORIGIN}: it does not allow the Idempotency-Key header (Access-Control-Allow-Headers)`,
    ]);
  });

  it('cookie mode against a refresh endpoint that does not allow credentials', async () => {
    const proxy = await proxyHarness(
      { refreshTokenStorage: 'cookie' },
      { cors: { [API_ORIGIN]: ALLOWING, [AUTH_ORIGIN]: { ...ALLOWING, allowOrigin: APP_ORIGIN, allowCredentials: false } } },
    );
    proxy.api.validToken = 'at-2';

    const response = await proxy.send(apiRequest('/api/me'));
    expect(response.status).toBe(401);
    await response.arrayBuffer();
    await vi.waitFor(() => expect(proxy.errors.map((error) => error.name)).toContain('CorsError'));

    expect(proxy.errors.find((error) => error.name === 'CorsError')?.message).toBe(
      `Failed to reach the refresh endpoint at ${AUTH_ORIGIN}: it does not allow credentials (Access-Control-Allow-Credentials: true, with Access-Control-Allow-Origin ${APP_ORIGIN}, not *)`,
    );
  });
});
