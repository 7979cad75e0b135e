import type { Tab } from './engine.js';
import { eventsOf, expect, fireRequests, login, openApp, openApps, test, waitForEvent } from './fixtures.js';

/**
 * Page mode: the browser allows no service worker (Chromium: Playwright's `serviceWorkers: 'block'`;
 * Firefox: `dom.serviceWorkers.enabled` off, as in a private window; WebKit: the ServiceWorkers
 * feature off), so the demo page's `fallback: 'page'` runs the engine in every tab.
 */
test.describe('page mode (service workers blocked)', () => {
  test.use({ serviceWorkers: 'block' });

  const modeOf = (tab: Tab) => tab.evaluate(() => window.authProxy.status().then((status) => status.mode));

  test('5 tabs × 20 requests after expiry, in page mode: all succeed with exactly one refresh', async ({ session, app }) => {
    const tabs = await openApps(session, `${app.origin}/`, 5);
    for (const tab of tabs) {
      expect(await tab.evaluate(() => window.authProxy.ready.then((info) => info.mode))).toBe('page');
      expect(await tab.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull();
    }
    await login(tabs[0]!);
    await app.expireAccessTokens();

    const results = await fireRequests(tabs, 20);

    expect(results.flat()).toEqual(Array(100).fill(200));
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(1);
    expect(stats.reuseDetected).toBe(0);
    for (const tab of tabs) await waitForEvent(tab, 'token-refreshed');
    for (const tab of tabs) expect(await modeOf(tab)).toBe('page');
  });

  test('page mode: the login response has no refresh token, and fetch and XHR bodies are replayed after a 401', async ({
    session,
    app,
  }) => {
    const tab = await openApp(session, `${app.origin}/`);
    const body = await login(tab);
    expect(body).not.toHaveProperty('refresh_token');
    expect(String(body['access_token'])).toMatch(/^sw-auth-proxy\./);
    await app.expireAccessTokens();

    const echoes = await tab.evaluate(async () => {
      const sent = JSON.stringify({ message: 'héllo', list: [1, 2, 3] });
      const viaFetch = await fetch('/api/echo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: sent });
      const viaXhr = await new Promise<{ status: number; text: string; type: string | null; states: number[]; events: string[] }>(
        (resolve) => {
          const xhr = new XMLHttpRequest();
          const states: number[] = [];
          const events: string[] = [];
          xhr.onreadystatechange = () => states.at(-1) !== xhr.readyState && states.push(xhr.readyState);
          for (const type of ['loadstart', 'load', 'loadend', 'error']) xhr.addEventListener(type, () => events.push(type));
          xhr.onloadend = () =>
            resolve({ status: xhr.status, text: xhr.responseText, type: xhr.getResponseHeader('content-type'), states, events });
          xhr.open('POST', '/api/echo');
          xhr.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
          xhr.send('line one\r\nline two ✓');
        },
      );
      return { fetch: { status: viaFetch.status, same: (await viaFetch.text()) === sent }, xhr: viaXhr };
    });

    expect(echoes.fetch).toEqual({ status: 200, same: true });
    expect(echoes.xhr).toEqual({
      status: 200,
      text: 'line one\r\nline two ✓',
      type: 'text/plain;charset=UTF-8',
      states: [1, 2, 3, 4],
      events: ['loadstart', 'load', 'loadend'],
    });
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(1);
    expect(stats.reuseDetected).toBe(0);
    expect((await tab.evaluate(() => window.authProxy.status())).counters.replayed).toBeGreaterThanOrEqual(1);
    // The page's own JavaScript never sees a token in what the engine reports.
    expect(JSON.stringify(await tab.evaluate(() => window.authProxy.status()))).not.toMatch(/eyJ/);
    expect(JSON.stringify(await eventsOf(tab))).not.toMatch(/eyJ/);
  });

  test('page mode: an XMLHttpRequest to a protected URL behaves as the native one does to an unprotected URL', async ({ session, app }) => {
    const tab = await openApp(session, `${app.origin}/`);
    await login(tab);

    // Each case runs twice in the page: against /api/echo (carried out by the engine) and against
    // /public/echo (the browser's own XHR, the engine not involved); the traces must be the same.
    const traces = await tab.evaluate(async () => {
      type Case = {
        responseType: XMLHttpRequestResponseType;
        body: string | Uint8Array<ArrayBuffer>;
        type: string;
        abort?: boolean;
        /** open() called twice before send(). */
        reopen?: boolean;
      };
      const cases: Case[] = [
        { responseType: '', body: 'plain ✓', type: 'text/plain;charset=UTF-8' },
        { responseType: 'json', body: JSON.stringify({ a: [1, 2] }), type: 'application/json' },
        { responseType: 'arraybuffer', body: new Uint8Array([0, 1, 2, 254, 255]), type: 'application/octet-stream' },
        { responseType: 'blob', body: 'blob body', type: 'text/plain' },
        { responseType: 'text', body: 'not aborted', type: 'text/plain', reopen: true },
        { responseType: 'text', body: 'aborted', type: 'text/plain', abort: true },
      ];
      const run = (path: string, c: Case) =>
        new Promise<unknown>((resolve) => {
          const xhr = new XMLHttpRequest();
          const events: string[] = [];
          const note = (type: string) => {
            const entry = type === 'readystatechange' ? `${type}:${xhr.readyState}` : type;
            // Chunking differs between runs: keep the first of repeated entries only.
            if (events.at(-1) !== entry) events.push(entry);
          };
          for (const type of ['readystatechange', 'loadstart', 'progress', 'load', 'error', 'abort', 'timeout', 'loadend']) {
            xhr.addEventListener(type, () => note(type));
          }
          xhr.addEventListener('loadend', async () => {
            const response: unknown = xhr.response;
            resolve({
              events,
              readyState: xhr.readyState,
              status: xhr.status,
              statusText: xhr.statusText,
              contentType: xhr.getResponseHeader('content-type'),
              url: xhr.responseURL.replace(/\/(api|public)\//, '/…/'),
              response:
                response instanceof ArrayBuffer
                  ? [...new Uint8Array(response)]
                  : response instanceof Blob
                    ? { size: response.size, type: response.type, text: await response.text() }
                    : response,
            });
          });
          xhr.open('POST', path);
          if (c.reopen) xhr.open('POST', path);
          xhr.responseType = c.responseType;
          xhr.setRequestHeader('Content-Type', c.type);
          xhr.send(c.body);
          if (c.abort) xhr.abort();
        });
      const results = [];
      for (const c of cases) {
        results.push({ aborted: c.abort === true, engine: await run('/api/echo', c), native: await run('/public/echo', c) });
      }
      return results;
    });

    // One engine quirk aside: Firefox's native XHR keeps responseURL after an abort, where the XHR
    // standard (and Chromium, WebKit and the engine) gives "", the URL of a network error.
    traces.forEach(({ aborted, engine, native }) => {
      const comparable = (trace: unknown) => (aborted ? { ...(trace as object), url: null } : trace);
      expect(comparable(engine)).toEqual(comparable(native));
    });
    expect(traces[1]!.engine).toMatchObject({ status: 200, response: { a: [1, 2] } });
    expect(traces[4]!.engine).toMatchObject({ status: 200, response: 'not aborted' });
    expect((await tab.evaluate(() => window.authProxy.status())).counters.requests).toBeGreaterThanOrEqual(4);
  });

  test('page mode, memory storage: the tabs hand the refresh token to each other, and it never reaches IndexedDB', async ({
    session,
    app,
  }) => {
    const first = await openApp(session, `${app.origin}/variants/memory/`);
    await login(first);
    // Opened after the login: it holds no refresh token until it asks the first tab for it.
    const second = await openApp(session, `${app.origin}/variants/memory/`);
    await app.expireAccessTokens();

    expect(await fireRequests(second, 10)).toEqual([Array(10).fill(200)]);
    expect((await app.stats()).refreshCalls).toBe(1);

    // The first tab, which logged in, is gone; the second holds the rotated token now.
    await first.close();
    await app.expireAccessTokens();
    expect(await fireRequests(second, 10)).toEqual([Array(10).fill(200)]);
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(2);
    expect(stats.reuseDetected).toBe(0);
    const stored = await second.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('sw-auth-proxy');
          open.onerror = () => reject(new Error('no database'));
          open.onsuccess = () => {
            const db = open.result;
            const names = [...db.objectStoreNames];
            const tx = db.transaction(names, 'readonly');
            const all = names.map(
              (name) => new Promise((done) => (tx.objectStore(name).getAll().onsuccess = (e) => done((e.target as IDBRequest).result))),
            );
            void Promise.all(all).then((values) => resolve(JSON.stringify(values)));
          };
        }),
    );
    expect(stored).toContain('"generation"');
    expect(stored).toMatch(/"refreshToken":null/);
    expect(stored).not.toMatch(/demo-rt|refresh_token/);
  });

  test('page mode, cookie storage: the refresh token stays in an httpOnly cookie and refresh works', async ({ session, app }) => {
    const tab = await openApp(session, `${app.origin}/variants/cookie/`);
    const body = await login(tab, { refreshTokenDelivery: 'cookie' });
    expect(body).not.toHaveProperty('refresh_token');
    expect(await tab.evaluate(() => document.cookie)).not.toContain('demo_rt');
    await app.expireAccessTokens();

    expect(await fireRequests(tab, 5)).toEqual([Array(5).fill(200)]);
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(1);
    expect(stats.reuseDetected).toBe(0);
  });

  test('page mode: a revoked session ends in every tab with one refresh attempt', async ({ session, app }) => {
    const tabs = await openApps(session, `${app.origin}/`, 3);
    await login(tabs[0]!);
    await app.revokeAll();

    const results = await fireRequests(tabs, 10);

    expect(results.flat()).toEqual(Array(30).fill(401));
    for (const tab of tabs) await waitForEvent(tab, 'session-expired');
    expect(await fireRequests(tabs[1]!, 5)).toEqual([Array(5).fill(401)]);
    expect((await app.stats()).refreshCalls).toBe(1);
    expect(await tabs[2]!.evaluate(() => window.authProxy.status().then((s) => s.state))).toBe('expired');
  });

  test('page mode: logout in one tab logs out every tab; dispose gives fetch back', async ({ session, app }) => {
    const [first, second] = await openApps(session, `${app.origin}/`, 2);
    await login(first!);
    expect(await fireRequests(second!, 1)).toEqual([[200]]);

    await first!.evaluate(() => window.authProxy.logout());

    await waitForEvent(second!, 'logged-out');
    expect(await fireRequests(second!, 1)).toEqual([[401]]);
    expect((await app.stats()).refreshCalls).toBe(0);
    // After dispose() the page's fetch and XMLHttpRequest are the browser's own again.
    expect(
      await second!.evaluate(() => {
        const before = [window.fetch, window.XMLHttpRequest];
        window.authProxy.dispose();
        return [before[0] !== window.fetch, before[1] !== window.XMLHttpRequest, window.fetch.toString().includes('[native code]')];
      }),
    ).toEqual([true, true, true]);
  });
});

test('mixed: a tab under the worker and a tab in page mode share one session and never both refresh', async ({ session, app }) => {
  // The variant's worker (scope /variants/plain/) has the demo's session; the page at / registers a
  // script that is missing, so it falls back to page mode and stays uncontrolled.
  const worker = await openApp(session, `${app.origin}/variants/plain/`);
  const page = await openApp(session, `${app.origin}/?worker=missing`);
  expect(await worker.evaluate(() => window.authProxy.status().then((s) => s.mode))).toBe('worker');
  const ready = await page.evaluate(() => window.authProxy.ready);
  expect(ready.mode).toBe('page');
  // Why, in the same words in every engine: the script's answer, not the browser's symptom.
  expect(ready.fallbackReason).toBe(
    `Failed to register the auth proxy: ${app.origin}/missing-auth-sw.js answered 404: check the path the page registers, ` +
      'and that the server serves the worker script there',
  );
  expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
  await login(page);

  for (let expiry = 1; expiry <= 2; expiry++) {
    await app.expireAccessTokens();
    const results = await fireRequests([worker, page], 20);
    expect(results.flat()).toEqual(Array(40).fill(200));
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(expiry);
    expect(stats.reuseDetected).toBe(0);
  }
  // Each side heard the other's refresh.
  for (const tab of [worker, page]) {
    const refreshed = (await eventsOf(tab)).filter((event) => event.type === 'token-refreshed');
    expect(refreshed).toHaveLength(2);
  }
});
