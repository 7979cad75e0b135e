import { expect, login, openApp, test } from './fixtures.js';

test('plain fetch, XMLHttpRequest and EventSource get authorized responses', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const result = await tab.evaluate(async () => {
    const viaFetch = await fetch('/api/me').then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    const viaXhr = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', '/api/me');
      xhr.responseType = 'json';
      xhr.onload = () => resolve({ status: xhr.status, body: xhr.response as unknown });
      xhr.onerror = () => reject(new Error('xhr failed'));
      xhr.send();
    });
    const firstEvent = await new Promise<string>((resolve, reject) => {
      const source = new EventSource('/api/events');
      source.addEventListener('tick', (event) => {
        source.close();
        resolve(event.data as string);
      });
      source.onerror = () => {
        source.close();
        reject(new Error('EventSource failed'));
      };
    });
    return { viaFetch, viaXhr, firstEvent };
  });

  expect(result.viaFetch).toEqual({ status: 200, body: expect.objectContaining({ sub: 'ada' }) });
  expect(result.viaXhr).toEqual({ status: 200, body: expect.objectContaining({ sub: 'ada' }) });
  expect(JSON.parse(result.firstEvent)).toEqual({ id: 1, sub: 'ada' });
  const log = await app.requests();
  for (const path of ['/api/me', '/api/events']) {
    const seen = log.filter((entry) => entry.path === path);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((entry) => entry.authorization === 'bearer')).toBe(true);
  }
});

test('requests outside the protected paths are not touched', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  await tab.evaluate(() => Promise.all([fetch('/demo/stats'), fetch('/nocors/ping'), fetch('/api/me')]).then(() => undefined));

  const log = await app.requests();
  const byPath = (path: string) => log.filter((entry) => entry.path === path).map((entry) => entry.authorization);
  expect(byPath('/api/me')).toContain('bearer');
  expect(byPath('/demo/stats')).not.toContain('bearer');
  expect(byPath('/nocors/ping')).toEqual(['none']);
});

test('no Authorization header ever reaches a second origin, with or without CORS', async ({ session, app, idp }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const statuses = await tab.evaluate(async (other) => {
    const corsFetch = await fetch(`${other}/api/me`).then((r) => r.status);
    const corsWithCredentials = await fetch(`${other}/api/me`, { credentials: 'include' }).then((r) => r.status);
    const noCors = await fetch(`${other}/nocors/ping`, { mode: 'no-cors' }).then((r) => r.type);
    const xhr = await new Promise<number>((resolve) => {
      const request = new XMLHttpRequest();
      request.open('GET', `${other}/api/me`);
      request.onloadend = () => resolve(request.status);
      request.send();
    });
    const image = await new Promise<string>((resolve) => {
      const img = new Image();
      img.onload = img.onerror = () => resolve('settled');
      img.src = `${other}/nocors/ping`;
    });
    // The same path on the app's own origin does get the token, so the setup can tell the difference.
    const own = await fetch('/api/me').then((r) => r.status);
    return { corsFetch, corsWithCredentials, noCors, xhr, image, own };
  }, idp.origin);

  expect(statuses).toEqual({ corsFetch: 401, corsWithCredentials: 401, noCors: 'opaque', xhr: 401, image: 'settled', own: 200 });
  const reached = await idp.requests();
  expect(reached.filter((entry) => entry.method !== 'OPTIONS').length).toBeGreaterThanOrEqual(5);
  expect(reached.filter((entry) => entry.authorization !== 'none')).toEqual([]);
});
