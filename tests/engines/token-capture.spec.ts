import { expect, fireRequests, login, openApp, test } from './fixtures.js';

test('the login response the page reads has no refresh token and no access token', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  const body = await login(tab);

  expect(body).not.toHaveProperty('refresh_token');
  expect(String(body['access_token'])).toMatch(/^sw-auth-proxy\./);
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
  // The placeholder works as a bearer value: the worker swaps in the real token.
  const status = await tab.evaluate(
    (placeholder) => fetch('/api/me', { headers: { Authorization: `Bearer ${placeholder}` } }).then((r) => r.status),
    String(body['access_token']),
  );
  expect(status).toBe(200);
  // The page's JavaScript cannot read the cookie-less session out of the worker either.
  expect(JSON.stringify(await tab.evaluate(() => window.authProxy.status()))).not.toMatch(/eyJ/);
});

test('exposeAccessToken hands the page the real access token but still not the refresh token', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/variants/exposed/`);
  const body = await login(tab);

  expect(body).not.toHaveProperty('refresh_token');
  expect(String(body['access_token'])).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  // After a refresh, the old token the page kept is replaced by the current one.
  await app.expireAccessTokens();
  const status = await tab.evaluate(
    (token) => fetch('/api/me', { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status),
    String(body['access_token']),
  );
  expect(status).toBe(200);
  expect((await app.stats()).refreshCalls).toBe(1);
  // The page still holds the first token, now an earlier one: recognised by hash, replaced, no refresh.
  const again = await tab.evaluate(
    (token) => fetch('/api/me', { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status),
    String(body['access_token']),
  );
  expect(again).toBe(200);
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.unauthorized).toBe(1);
});

test('cookie mode: the refresh token stays in an httpOnly cookie and refresh still works', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/variants/cookie/`);
  const body = await login(tab, { refreshTokenDelivery: 'cookie' });
  expect(body).not.toHaveProperty('refresh_token');
  expect(await tab.evaluate(() => document.cookie)).not.toContain('demo_rt');

  await app.expireAccessTokens();
  expect(await fireRequests(tab, 10)).toEqual([Array(10).fill(200)]);
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
});

test('an OAuth code exchange with a token endpoint on another origin is captured', async ({ session, app, idp }) => {
  const pageUrl = `${app.origin}/variants/idp/`;
  const tab = await openApp(session, pageUrl);

  // The browser goes to the authorization server and is redirected back with a code.
  const authorize = new URL(`${idp.origin}/oauth/authorize`);
  authorize.search = new URLSearchParams({ response_type: 'code', client_id: 'demo-spa', redirect_uri: pageUrl, state: 'xyz' }).toString();
  await tab.goto(authorize.toString());
  await tab.evaluate(() => window.authProxy.ready.then(() => undefined));
  const code = await tab.evaluate(() => new URL(location.href).searchParams.get('code'));
  expect(code).toEqual(expect.any(String));

  const body = await tab.evaluate(
    async ({ tokenUrl, code, redirectUri }) => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'demo-spa' }),
      });
      return (await response.json()) as Record<string, unknown>;
    },
    { tokenUrl: `${idp.origin}/auth/token`, code: code!, redirectUri: pageUrl },
  );
  expect(body).not.toHaveProperty('refresh_token');
  expect(String(body['access_token'])).toMatch(/^sw-auth-proxy\./);

  // The app's API accepts the token, and refreshing goes to the other origin.
  expect(await fireRequests(tab, 2)).toEqual([[200, 200]]);
  await app.expireAccessTokens();
  expect(await fireRequests(tab, 3)).toEqual([[200, 200, 200]]);
  expect((await idp.stats()).refreshCalls).toBe(1);
  expect((await app.stats()).refreshCalls).toBe(0);
});

test('a token response is captured by what it is, in any content type; one it cannot scrub never reaches the page', async ({
  session,
  app,
}) => {
  const tab = await openApp(session, `${app.origin}/`);
  const loginAs = (responseFormat: string) =>
    tab.evaluate(async (responseFormat) => {
      const response = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: 'secret', responseFormat }),
      });
      const text = await response.text();
      const me = await fetch('/api/me');
      const status = await window.authProxy.status();
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        text,
        me: me.status,
        generation: status.generation,
        lastError: status.lastError,
      };
    }, responseFormat);

  // JSON as text/plain, JSON with a charset, and a form: each stored, each handed back in its own shape.
  const text = await loginAs('text');
  expect(text).toMatchObject({ status: 200, type: 'text/plain', me: 200, generation: 1 });
  expect(Object.keys(JSON.parse(text.text) as object).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  expect(String((JSON.parse(text.text) as Record<string, unknown>)['access_token'])).toMatch(/^sw-auth-proxy\./);

  const charset = await loginAs('json-charset');
  expect(charset).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', me: 200, generation: 2 });
  expect(charset.text).not.toContain('refresh_token');

  const form = await loginAs('form');
  expect(form).toMatchObject({ status: 200, type: 'application/x-www-form-urlencoded', me: 200, generation: 3 });
  const fields = new URLSearchParams(form.text);
  expect([...fields.keys()].sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  expect(fields.get('access_token')).toMatch(/^sw-auth-proxy\./);

  // Prose with the refresh token in it: the page gets the worker's 502 instead, and nothing is stored.
  const unreadable = await loginAs('unreadable');
  expect(unreadable).toMatchObject({ status: 502, type: 'application/json', generation: 3 });
  expect(JSON.parse(unreadable.text)).toMatchObject({ error: 'unreadable_token_response' });
  expect(unreadable.lastError).toMatchObject({ name: 'TokenResponseError' });
  expect(unreadable.lastError!.message).toContain(`${app.origin}/auth/login (Content-Type: text/html; charset=utf-8)`);
  expect((await app.stats()).loginCalls).toBe(4);
});
