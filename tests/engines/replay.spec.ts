import { eventsOf, expect, login, openApp, test, waitForEvent } from './fixtures.js';

/** POST `/api/echo` twice in the page: once with a fresh token, once right after expiry (so it is replayed). */
test('JSON, text and binary bodies are replayed byte for byte after a 401', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  await app.expireAccessTokens();

  const echoes = await tab.evaluate(async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    const bodies: [string, BodyInit][] = [
      ['application/json', JSON.stringify({ message: 'héllo', list: [1, 2, 3] })],
      ['text/plain;charset=UTF-8', 'line one\r\nline two ✓'],
      ['application/octet-stream', binary],
    ];
    const results = [];
    for (const [type, body] of bodies) {
      const response = await fetch('/api/echo', { method: 'POST', headers: { 'Content-Type': type }, body });
      const sent = new Uint8Array(await new Response(body).arrayBuffer());
      const echoed = new Uint8Array(await response.arrayBuffer());
      results.push({
        status: response.status,
        type: response.headers.get('content-type'),
        same: sent.join() === echoed.join(),
        length: echoed.length,
      });
    }
    return results;
  });

  expect(echoes).toEqual([
    { status: 200, type: 'application/json', same: true, length: expect.any(Number) },
    { status: 200, type: 'text/plain;charset=UTF-8', same: true, length: expect.any(Number) },
    { status: 200, type: 'application/octet-stream', same: true, length: 256 },
  ]);
  const stats = await app.stats();
  expect(stats.unauthorized).toBe(1); // the first POST met the expired token, the rest waited for nothing
  expect(stats.refreshCalls).toBe(1);
  expect((await tab.evaluate(() => window.authProxy.status())).counters.replayed).toBe(1);
});

test('multipart bodies (FormData with a file, and a hand-built one) are replayed byte for byte', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const result = await tab.evaluate(async (expireUrl) => {
    const expire = () => fetch(expireUrl, { method: 'POST' });
    const file = new Blob([new Uint8Array(2048).map((_, i) => (i * 7) % 256)], { type: 'application/octet-stream' });
    const form = () => {
      const data = new FormData();
      data.append('title', 'report ✓');
      data.append('file', file, 'data.bin');
      return data;
    };
    const echo = async (body: BodyInit, headers: HeadersInit = {}) => {
      const response = await fetch('/api/echo', { method: 'POST', body, headers });
      return {
        status: response.status,
        type: response.headers.get('content-type') ?? '',
        bytes: new Uint8Array(await response.arrayBuffer()),
      };
    };
    // The browser picks a new boundary per request, so compare with the boundary taken out.
    const normalise = ({ type, bytes }: { type: string; bytes: Uint8Array }) => {
      const boundary = /boundary=(.+)$/.exec(type)![1]!;
      return new TextDecoder('latin1').decode(bytes).split(boundary).join('BOUNDARY');
    };
    const direct = await echo(form());
    await expire();
    const replayed = await echo(form());

    // A hand-built multipart body has a fixed boundary: compared as is.
    const boundary = 'xyzBOUNDARYxyz';
    const handBuilt = new Blob([
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      new Uint8Array(256).map((_, i) => 255 - i),
      `\r\n--${boundary}--\r\n`,
    ]);
    await expire();
    const manual = await echo(handBuilt, { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
    const sent = new Uint8Array(await handBuilt.arrayBuffer());
    return {
      statuses: [direct.status, replayed.status, manual.status],
      formSame: normalise(direct) === normalise(replayed),
      formLength: replayed.bytes.length,
      manualSame: sent.join() === manual.bytes.join(),
      manualType: manual.type,
    };
  }, `${app.origin}/demo/expire`);

  expect(result.statuses).toEqual([200, 200, 200]);
  expect(result.formSame).toBe(true);
  expect(result.formLength).toBeGreaterThan(2048);
  expect(result.manualSame).toBe(true);
  expect(result.manualType).toBe('multipart/form-data; boundary=xyzBOUNDARYxyz');
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(2);
  expect(stats.unauthorized).toBe(2);
});

test('a body over maxReplayBodyBytes is sent once and its 401 returned with replay-skipped', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/variants/small-body/`);
  await login(tab);
  await app.expireAccessTokens();

  const status = await tab.evaluate(() =>
    fetch('/api/echo', { method: 'POST', body: 'x'.repeat(4096), headers: { 'Content-Type': 'text/plain' } }).then((r) => r.status),
  );

  expect(status).toBe(401);
  await waitForEvent(tab, 'replay-skipped');
  const skipped = (await eventsOf(tab)).find((event) => event.type === 'replay-skipped');
  expect(skipped?.detail).toMatchObject({ method: 'POST', url: `${app.origin}/api/echo`, reason: 'body-too-large' });
  // A small body in the same state is replayed as usual.
  const small = await tab.evaluate(() => fetch('/api/echo', { method: 'POST', body: 'ok' }).then((r) => r.text()));
  expect(small).toBe('ok');
});

test('a streamed upload goes out at once, as the browser itself would send it: never held back, whether or not it ends', async ({
  session,
  app,
}) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const outcomes = await tab.evaluate(async (boundMs) => {
    const upload = (path: string, ends: boolean): Promise<string> => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('part one'));
          if (ends) controller.close();
        },
      });
      // `duplex` is required for a stream body but not yet in TypeScript's RequestInit.
      const sent = fetch(path, { method: 'POST', body, duplex: 'half' } as RequestInit).then(
        async (response) => `${response.status} ${await response.text()}`,
        (error: unknown) => (error instanceof Error ? error.name : 'rejected'),
      );
      // Not a sleep: a bound, far past every configured one, after which the request counts as hung.
      return Promise.race([sent, new Promise<string>((resolve) => setTimeout(() => resolve('still pending'), boundMs))]);
    };
    // `/public/echo` is not protected: the worker leaves it to the browser, which shows what the
    // engine does with a stream body on its own (Chromium: streams only over HTTP/2; WebKit: none;
    // Firefox: sends the text "[object ReadableStream]").
    return {
      open: { browser: await upload('/public/echo', false), proxied: await upload('/api/echo', false) },
      ended: { browser: await upload('/public/echo', true), proxied: await upload('/api/echo', true) },
      pending: (await window.authProxy.status()).pendingRequests,
    };
  }, 15_000);

  expect(outcomes.open.proxied).not.toBe('still pending');
  expect(outcomes.open.proxied).toBe(outcomes.open.browser);
  expect(outcomes.ended.proxied).toBe(outcomes.ended.browser);
  expect(outcomes.pending).toBe(0);
});

test('a 401 recalls the GETs still out with the rejected token: they go again with the new one', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  await app.expireAccessTokens();
  // The server holds the first three without an answer, as a busy one (or the browser's
  // connection queue) holds a burst sent just before the first 401 is back.
  const fault = await fetch(`${app.origin}/demo/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ target: 'api', path: '/api/items/held', hang: true, count: 3 }),
  });
  expect(fault.status).toBe(200);
  await tab.evaluate(() => {
    window.firedRequests = Promise.all(
      [0, 1, 2].map((i) =>
        fetch(`/api/items/held-${i}`).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
  });
  const held = async () => (await app.requests()).filter((entry) => entry.path.startsWith('/api/items/held'));
  await expect.poll(async () => (await held()).length).toBe(3);

  // Its 401 refreshes, and the three out with the same token are recalled rather than left to it.
  expect(await tab.evaluate(() => fetch('/api/me').then((r) => r.status))).toBe(200);

  expect(await tab.evaluate(() => window.firedRequests!)).toEqual([200, 200, 200]);
  expect((await held()).map((entry) => entry.path).sort()).toEqual([
    '/api/items/held-0',
    '/api/items/held-0',
    '/api/items/held-1',
    '/api/items/held-1',
    '/api/items/held-2',
    '/api/items/held-2',
  ]);
  const stats = await app.stats();
  expect(stats.unauthorized).toBe(1); // only /api/me's: the held three were never answered with the old token
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
  expect((await tab.evaluate(() => window.authProxy.status())).counters.replayed).toBe(4);
});
