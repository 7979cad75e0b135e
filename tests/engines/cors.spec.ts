import type { Tab } from './engine.js';
import { expect, login, openApp, test, waitForEvent } from './fixtures.js';

/**
 * A cross-origin API or refresh endpoint whose CORS is wrong gives the page a bare `TypeError`
 * (all a browser tells script); the worker finds out why and says it in an `error` event and
 * `status().lastError`. The API is a real server on loopback (tests/engines/cors-api-server.ts)
 * whose CORS is right or wrong by path.
 */

/** What `fetch(url, init)` in the page got: its status, or the name of its rejection. */
const outcome = (tab: Tab, url: string, init: RequestInit = {}) =>
  tab.evaluate(
    ({ url, init }) =>
      fetch(url, init).then(
        async (response) => `${response.status} ${await response.text()}`,
        (error: unknown) => (error instanceof Error ? error.name : 'rejected'),
      ),
    { url, init },
  );

/** The `error` events the page heard, and what `status()` says last went wrong. */
const reported = (tab: Tab) =>
  tab.evaluate(async () => ({
    errors: window.authEvents
      .filter((event) => event.type === 'error')
      .map((event) => ({ ...(event.detail as { name: string; message: string }) })),
    lastError: (await window.authProxy.status()).lastError,
  }));

/** Nothing token-shaped: a JWT, the page's placeholder, or a long opaque run. */
const TOKEN_SHAPED = /eyJ[\w-]*\.|sw-auth-proxy\.[\w-]|[\w-]{32,}/;

test('a cross-origin API that does not allow the Authorization header: the page hears why, and no request is sent twice', async ({
  session,
  app,
  corsApi,
}) => {
  const tab = await openApp(session, `${app.origin}/variants/cross-origin-api/`);
  await login(tab);

  // The page still gets its network error, as it would without the proxy.
  expect(await outcome(tab, `${corsApi.origin}/no-headers/api/me`)).toBe('TypeError');
  expect(await outcome(tab, `${corsApi.origin}/no-headers/api/echo`, { method: 'POST', body: 'a body' })).toBe('TypeError');
  await waitForEvent(tab, 'error');

  const message = `Failed to reach the API at ${corsApi.origin}: it does not allow the Authorization header (Access-Control-Allow-Headers)`;
  const { errors, lastError } = await reported(tab);
  expect(errors).toEqual([{ name: 'CorsError', message }]);
  expect(lastError).toEqual({ name: 'CorsError', message });
  expect(message).not.toMatch(TOKEN_SHAPED);
  // The preflights were refused, so neither request reached the API; the one probe is a HEAD
  // without the token or a body. The POST never went out, and was not sent again.
  const reached = corsApi.requests().filter((entry) => entry.method !== 'OPTIONS');
  expect(reached).toEqual([
    { method: 'HEAD', mode: 'no-headers', path: '/api/me', authorization: false, requestHeaders: null, bodyBytes: 0 },
  ]);
  const preflights = corsApi.requests().filter((entry) => entry.method === 'OPTIONS');
  expect(preflights.length).toBeGreaterThanOrEqual(2);
  expect(preflights.every((entry) => entry.requestHeaders?.includes('authorization'))).toBe(true);
});

test('a cross-origin API that does not allow the page origin: the page hears that, not a header', async ({ session, app, corsApi }) => {
  const tab = await openApp(session, `${app.origin}/variants/cross-origin-api/`);
  await login(tab);

  expect(await outcome(tab, `${corsApi.origin}/other-origin/api/me`)).toBe('TypeError');
  await waitForEvent(tab, 'error');

  const message = `Failed to reach the API at ${corsApi.origin}: it does not allow requests from ${app.origin} (Access-Control-Allow-Origin, on every answer, errors too)`;
  const { errors, lastError } = await reported(tab);
  expect(errors).toEqual([{ name: 'CorsError', message }]);
  expect(lastError).toEqual({ name: 'CorsError', message });
  expect(message).not.toMatch(TOKEN_SHAPED);
  // The probe (refused by CORS too), then the no-cors one that shows the server answers; neither
  // with the token.
  const reached = corsApi.requests().filter((entry) => entry.method !== 'OPTIONS');
  expect(reached.map(({ method, authorization, bodyBytes }) => ({ method, authorization, bodyBytes }))).toEqual([
    { method: 'HEAD', authorization: false, bodyBytes: 0 },
    { method: 'HEAD', authorization: false, bodyBytes: 0 },
  ]);
});

test('a cross-origin API with the CORS the checklist gives works, and nothing is reported', async ({ session, app, corsApi }) => {
  const tab = await openApp(session, `${app.origin}/variants/cross-origin-api/`);
  await login(tab);

  expect(await outcome(tab, `${corsApi.origin}/ok/api/me`)).toMatch(/^200 .*"sub":"ada"/);
  expect(await outcome(tab, `${corsApi.origin}/ok/api/echo`, { method: 'POST', body: 'a body' })).toMatch(/^200 /);

  expect(await reported(tab)).toEqual({ errors: [], lastError: null });
  const reached = corsApi.requests().filter((entry) => entry.method !== 'OPTIONS');
  expect(reached.map(({ method, path, authorization }) => ({ method, path, authorization }))).toEqual([
    { method: 'GET', path: '/api/me', authorization: true },
    { method: 'POST', path: '/api/echo', authorization: true },
  ]);
});

test('a cross-origin refresh endpoint that does not allow Idempotency-Key: the page hears why, and gets its 401', async ({
  session,
  app,
  corsApi,
}) => {
  const tab = await openApp(session, `${app.origin}/variants/cross-origin-refresh/`);
  await login(tab);
  await app.expireAccessTokens();

  expect(await outcome(tab, '/api/me')).toMatch(/^401 /);
  await waitForEvent(tab, 'error');

  const reason = 'does not allow the Idempotency-Key header (Access-Control-Allow-Headers)';
  const { errors, lastError } = await reported(tab);
  expect(errors).toEqual([{ name: 'CorsError', message: `Failed to reach the refresh endpoint at ${corsApi.origin}: it ${reason}` }]);
  // The error event, or a refresh failure after it that says the same.
  expect([
    { name: 'CorsError', message: `Failed to reach the refresh endpoint at ${corsApi.origin}: it ${reason}` },
    { name: 'RefreshFailedError', message: `Failed to refresh the access token: the refresh endpoint at ${corsApi.origin} ${reason}` },
  ]).toContainEqual(lastError);
  expect(lastError?.message).not.toMatch(TOKEN_SHAPED);
  // The refresh never reached the server (its preflight was refused), so its refresh token was not
  // spent; the probe went without it.
  const reached = corsApi.requests().filter((entry) => entry.method !== 'OPTIONS');
  expect(reached).toEqual([
    { method: 'HEAD', mode: 'no-headers', path: '/auth/token', authorization: false, requestHeaders: null, bodyBytes: 0 },
  ]);
  expect((await app.stats()).refreshCalls).toBe(0);
});

test.describe('page mode (service workers blocked)', () => {
  test.use({ serviceWorkers: 'block' });

  test('page mode: a cross-origin API that does not allow the Authorization header is reported the same way', async ({
    session,
    app,
    corsApi,
  }) => {
    const tab = await openApp(session, `${app.origin}/variants/cross-origin-api/`);
    expect(await tab.evaluate(() => window.authProxy.ready.then((info) => info.mode))).toBe('page');
    await login(tab);

    expect(await outcome(tab, `${corsApi.origin}/no-headers/api/me`)).toBe('TypeError');
    await waitForEvent(tab, 'error');

    const message = `Failed to reach the API at ${corsApi.origin}: it does not allow the Authorization header (Access-Control-Allow-Headers)`;
    expect(await reported(tab)).toEqual({ errors: [{ name: 'CorsError', message }], lastError: { name: 'CorsError', message } });
    const reached = corsApi.requests().filter((entry) => entry.method !== 'OPTIONS');
    expect(reached).toEqual([
      { method: 'HEAD', mode: 'no-headers', path: '/api/me', authorization: false, requestHeaders: null, bodyBytes: 0 },
    ]);
  });
});
