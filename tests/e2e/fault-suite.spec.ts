import type { BrowserContext, Page } from '@playwright/test';
import { startDemoServer, type DemoServer } from './fixtures/demo-server.js';
import { LeakWatch } from './fixtures/leak-watch.js';
import { eventsOf, expect, fireRequests, login, openApp, test, waitForEvent } from './fixtures/test.js';

/**
 * The fault suite: each scenario breaks the refresh path in one way, in real Chromium with several
 * tabs, and checks that every request settles, no token leaks to a page or a log (the worker's
 * debug log is on), no unexpected `session-expired` happens, and refresh calls stay bounded.
 */

interface RefreshLogEntry {
  at: number;
  outcome: string;
}

async function postJson(server: DemoServer, path: string, body: unknown): Promise<void> {
  const response = await fetch(server.origin + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
}

async function refreshLog(server: DemoServer): Promise<RefreshLogEntry[]> {
  return (await fetch(`${server.origin}/demo/refresh-log`)).json() as Promise<RefreshLogEntry[]>;
}

/** Open `count` tabs on `path`, log in in the first, switch the worker's debug log on. */
async function session(
  context: BrowserContext,
  server: DemoServer,
  count: number,
  watch: LeakWatch,
  path = '/variants/resilient/',
): Promise<Page[]> {
  const tabs: Page[] = [];
  for (let i = 0; i < count; i++) tabs.push(await openApp(context, server.origin + path));
  await tabs[0]!.evaluate(() => window.authProxy.setDebug(true));
  await login(tabs[0]!);
  await watch.harvest(tabs[0]!);
  return tabs;
}

/** How late a bounded outcome may be on a machine whose cores are all busy. */
const SLOW_MACHINE_MARGIN_MS = 5000;

/**
 * The longest pause after one failed cycle in the `long-pause` variant: `backoff.baseMs` × 5
 * (tests/e2e/fixtures/test.ts).
 */
const LONG_PAUSE_MAX_MS = 12_500;

/** Wait, by asking the worker, until a refresh pause is over (with margin for a slow machine). */
async function untilPauseEnds(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => window.authProxy.status().then((s) => s.state)), { intervals: [250], timeout: LONG_PAUSE_MAX_MS * 2 })
    .not.toBe('backoff');
}

/** Every state this tab was told the session entered, in order. */
async function statesSeen(page: Page): Promise<string[]> {
  return (await eventsOf(page)).filter((event) => event.type === 'state-changed').map((event) => (event.detail as { state: string }).state);
}

async function typesSeen(page: Page): Promise<string[]> {
  return (await eventsOf(page)).map((event) => event.type);
}

/** What every scenario checks at the end. */
async function expectCleanEnd(watch: LeakWatch, tabs: Page[], options: { sessionExpired: boolean }): Promise<void> {
  await watch.harvest(tabs[0]!);
  expect(watch.tokens.size).toBeGreaterThan(0);
  // The debug log really was captured, so "no token in it" means something.
  expect(watch.lines.some((line) => line.startsWith('[sw-auth-proxy]'))).toBe(true);
  expect(await watch.leaks(tabs)).toEqual([]);
  for (const tab of tabs) {
    expect((await typesSeen(tab)).includes('session-expired')).toBe(options.sessionExpired);
  }
}

test.describe('fault suite', () => {
  test('refresh answers 500 twice, then OK: one logical refresh, every request succeeds', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch, '/variants/patient/');
    await postJson(app, '/demo/faults', { target: 'refresh', status: 500, count: 2 });
    await app.expireAccessTokens();

    const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 10)));

    expect(results.flat()).toEqual(Array(20).fill(200));
    expect((await refreshLog(app)).map((entry) => entry.outcome)).toEqual(['fault:500', 'fault:500', 'rotated']);
    for (const tab of tabs) await waitForEvent(tab, 'token-refreshed');
    const refreshed = (await eventsOf(tabs[1]!)).filter((event) => event.type === 'token-refreshed');
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.detail).toMatchObject({ attempts: 3 });
    expect((await app.stats()).reuseDetected).toBe(0);
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('refresh answers 429 with Retry-After: 2: the next attempt waits at least 2 s', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch, '/variants/patient/');
    await postJson(app, '/demo/faults', { target: 'refresh', status: 429, retryAfter: '2', count: 1 });
    await app.expireAccessTokens();

    expect(await fireRequests(tabs[0]!, 5)).toEqual(Array(5).fill(200));

    const log = await refreshLog(app);
    expect(log.map((entry) => entry.outcome)).toEqual(['fault:429', 'rotated']);
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(2000);
    const failed = (await eventsOf(tabs[1]!)).find((event) => event.type === 'refresh-failed');
    expect(failed?.detail).toMatchObject({ reason: 'rate-limited', status: 429, final: false });
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('refresh hangs past the timeout: waiting requests get their 401 and refresh-failed once the timeout fires', async ({
    context,
    app,
  }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch);
    await postJson(app, '/demo/faults', { target: 'refresh', hang: true, count: 3 });
    await app.expireAccessTokens();

    const settled = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(() =>
          Promise.all(Array.from({ length: 5 }, () => fetch('/api/me').then((r) => ({ status: r.status, at: Date.now() })))),
        ),
      ),
    );

    // The bound runs from the refresh's start (the worker's clock, the same machine's as the page's),
    // not from the page's first fetch: that first round trip and the 401 are not the timeout's.
    const started = (await eventsOf(tabs[0]!)).find((event) => event.type === 'refresh-started');
    const startedAt = (started?.detail as { at: number } | undefined)?.at;
    expect(startedAt).toBeDefined();
    // refreshTimeoutMs of the variant (3 s), plus margin for a loaded machine: requests that waited
    // before going out are sent at their deadline and come back one round trip later, and the
    // broadcast crosses to each tab (1.8 s and 3 s late seen with both cores busy). A request held
    // by the hanging server never settles, and the 30 s default timeout would miss this bound.
    const refreshTimeoutMs = 3000;
    const limit = startedAt! + refreshTimeoutMs + SLOW_MACHINE_MARGIN_MS;
    for (const { status, at } of settled.flat()) {
      expect(status).toBe(401);
      expect(at).toBeLessThanOrEqual(limit);
    }
    for (const tab of tabs) await waitForEvent(tab, 'refresh-failed');
    for (const tab of tabs) {
      // With the `Date.now()` the tab received it at.
      const failed = await tab.evaluate(() => window.authEvents.find((event) => event.type === 'refresh-failed'));
      expect(failed?.detail).toMatchObject({ reason: 'timeout' });
      expect(failed!.at).toBeLessThanOrEqual(limit);
    }
    expect((await refreshLog(app)).length).toBeLessThanOrEqual(3);
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('refresh endpoint unreachable, then back: recovers without a reload', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch, '/variants/long-pause/');
    // Every attempt of one cycle (maxAttempts 3) loses its connection.
    await postJson(app, '/demo/faults', { target: 'refresh', drop: true, count: 3 });
    await app.expireAccessTokens();

    expect(await fireRequests(tabs[0]!, 4)).toEqual(Array(4).fill(401));
    await tabs[0]!.waitForFunction(() =>
      window.authEvents.some((e) => e.type === 'refresh-failed' && (e.detail as { final: boolean }).final),
    );
    expect(await statesSeen(tabs[1]!)).toContain('backoff');
    // While paused, requests are answered at once and make no refresh attempt.
    expect(await fireRequests(tabs[1]!, 3)).toEqual(Array(3).fill(401));
    expect((await tabs[1]!.evaluate(() => window.authProxy.status())).state).toBe('backoff'); // still inside the pause
    expect((await refreshLog(app)).length).toBe(3);

    // The server is back; once the pause is over the next request refreshes.
    await untilPauseEnds(tabs[1]!);
    expect(await fireRequests(tabs[1]!, 4)).toEqual(Array(4).fill(200));
    expect((await refreshLog(app)).map((entry) => entry.outcome)).toEqual(['fault:drop', 'fault:drop', 'fault:drop', 'rotated']);
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('malformed refresh JSON: tokens kept, refresh-failed, no retry storm', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch, '/variants/long-pause/');
    const before = await tabs[0]!.evaluate(() => window.authProxy.status());
    await postJson(app, '/demo/faults', {
      target: 'refresh',
      status: 200,
      body: '{"access_token":',
      contentType: 'application/json',
      count: 1,
    });
    await app.expireAccessTokens();

    expect(await fireRequests(tabs[0]!, 3)).toEqual(Array(3).fill(401));

    for (const tab of tabs) await waitForEvent(tab, 'refresh-failed');
    const failed = (await eventsOf(tabs[1]!)).find((event) => event.type === 'refresh-failed');
    expect(failed?.detail).toMatchObject({ reason: 'malformed-response', final: true });
    const after = await tabs[1]!.evaluate(() => window.authProxy.status());
    expect(after.generation).toBe(before.generation); // the stored tokens were kept
    expect(await statesSeen(tabs[1]!)).toContain('backoff');
    expect((await refreshLog(app)).length).toBe(1);
    // After the pause, the kept refresh token still works.
    await untilPauseEnds(tabs[1]!);
    expect(await fireRequests(tabs[1]!, 2)).toEqual([200, 200]);
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('invalid_grant: session-expired in every tab, exactly one refresh call', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 3, watch);
    await app.revokeAll();

    const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 10)));

    expect(results.flat()).toEqual(Array(30).fill(401));
    for (const tab of tabs) await waitForEvent(tab, 'session-expired');
    expect((await app.stats()).refreshCalls).toBe(1);
    await expectCleanEnd(watch, tabs, { sessionExpired: true });
  });

  test('worker stopped while a refresh is held open at the server: no second rotation, requests end well', async ({ context, app }) => {
    const watch = new LeakWatch(context);
    const tabs = await session(context, app, 2, watch);
    // The server holds the refresh for 1.5 s, then rotates whether or not anyone is still there.
    await postJson(app, '/demo/faults', { target: 'refresh', delayMs: 1500, count: 1 });
    await app.expireAccessTokens();
    const cdp = await context.newCDPSession(tabs[0]!);
    await cdp.send('ServiceWorker.enable');

    const pending = tabs[0]!.evaluate(() =>
      fetch('/api/me').then(
        (r) => r.status,
        () => 0,
      ),
    );
    await expect.poll(async () => (await refreshLog(app)).length + (await app.stats()).refreshCalls).toBeGreaterThan(0);
    await cdp.send('ServiceWorker.stopAllWorkers');
    const first = await pending;

    // A fresh worker retries with the same Idempotency-Key: the server answers with the result of
    // the rotation it already did (or is doing) instead of seeing the refresh token reused.
    const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 5)));
    expect(results.flat()).toEqual(Array(10).fill(200));
    expect([0, 200, 401]).toContain(first); // the request cut off with its worker settles either way
    const stats = await app.stats();
    expect(stats.reuseDetected).toBe(0);
    expect(stats.idempotentReplays).toBe(1);
    expect((await refreshLog(app)).map((entry) => entry.outcome)).toEqual(['rotated', 'idempotent-replay']);
    await expectCleanEnd(watch, tabs, { sessionExpired: false });
  });

  test('20 tabs × 50 requests at expiry: exactly one refresh call', async ({ context }) => {
    // Measured: 55 s alone (24 s to open the tabs, 21 s for the storm with every debug line of the
    // worker captured for the leak check), 2.7 min with both cores busy (stress-ng --cpu 2).
    test.setTimeout(300_000);
    // Its own server with 5-minute tokens: on 2 loaded cores this storm can outlast a 30 s token,
    // and a second, legitimate refresh is not what this scenario is about.
    const server = await startDemoServer({ ACCESS_TOKEN_TTL: '300' });
    try {
      const watch = new LeakWatch(context);
      const tabs = await session(context, server, 20, watch, '/');
      await server.expireAccessTokens();

      const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 50)));

      expect(results.flat()).toEqual(Array(1000).fill(200));
      const stats = await server.stats();
      expect(stats.refreshCalls).toBe(1);
      expect(stats.reuseDetected).toBe(0);
      await expectCleanEnd(watch, tabs, { sessionExpired: false });
    } finally {
      await server.stop();
    }
  });

  for (const offsetMs of [10 * 60_000, -10 * 60_000]) {
    test(`server clock ${offsetMs > 0 ? 'ahead' : 'behind'} by 10 min: no refresh storm, no premature expiry`, async ({ context, app }) => {
      await postJson(app, '/demo/clock', { offsetMs });
      const watch = new LeakWatch(context);
      const tabs = await session(context, app, 2, watch);

      const status = await tabs[0]!.evaluate(() => window.authProxy.status());
      const left = status.expiresAt! - Date.now();
      expect(left).toBeGreaterThan(20_000); // the demo's 30 s token, not 10 min early or late
      expect(left).toBeLessThanOrEqual(30_000);
      expect(Math.abs(status.serverTimeOffsetMs - offsetMs)).toBeLessThan(5_000);
      const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 20)));
      expect(results.flat()).toEqual(Array(40).fill(200));
      const stats = await app.stats();
      expect(stats.refreshCalls).toBe(0);
      expect(stats.unauthorized).toBe(0);
      await expectCleanEnd(watch, tabs, { sessionExpired: false });
      await postJson(app, '/demo/clock', { offsetMs: 0 });
    });
  }

  test('proactive refresh: with a 10 s token, steady requests for 40 s never meet a 401 on the wire', async ({ context }) => {
    test.setTimeout(90_000);
    const server = await startDemoServer({ ACCESS_TOKEN_TTL: '10' });
    try {
      const watch = new LeakWatch(context);
      const tabs = await session(context, server, 2, watch, '/');
      const statuses = await tabs[0]!.evaluate(async () => {
        const seen: number[] = [];
        const until = performance.now() + 40_000;
        while (performance.now() < until) {
          seen.push(await fetch('/api/me').then((r) => r.status));
          await new Promise((resolve) => setTimeout(resolve, 250)); // the app's own request rhythm
        }
        return seen;
      });
      expect(statuses.length).toBeGreaterThan(100);
      expect(new Set(statuses)).toEqual(new Set([200]));
      const stats = await server.stats();
      expect(stats.unauthorized).toBe(0);
      expect(stats.refreshCalls).toBeGreaterThanOrEqual(6); // one per ~5 s window
      expect(stats.refreshCalls).toBeLessThanOrEqual(10);
      expect(stats.reuseDetected).toBe(0);
      await expectCleanEnd(watch, tabs, { sessionExpired: false });
    } finally {
      await server.stop();
    }
  });
});
