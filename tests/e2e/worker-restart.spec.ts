import { eventsOf, expect, fireRequests, login, openApp, test, waitForEvent } from './fixtures/test.js';

test('a stopped worker restarts with the session from IndexedDB, no new login', async ({ context, app }) => {
  const page = await openApp(context, `${app.origin}/`);
  await login(page);
  expect(await fireRequests(page, 3)).toEqual([200, 200, 200]);
  expect((await page.evaluate(() => window.authProxy.status())).counters.requests).toBe(3);

  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise<void>((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((version) => version.runningStatus === 'stopped')) resolve();
    });
  });
  const heardBefore = (await eventsOf(page)).length;
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;

  expect(await fireRequests(page, 2)).toEqual([200, 200]);
  // A fresh worker: its in-memory counters started again from zero.
  expect((await page.evaluate(() => window.authProxy.status())).counters.requests).toBe(2);
  const stats = await app.stats();
  expect(stats.loginCalls).toBe(1);
  expect(stats.refreshCalls).toBe(0);

  // The fresh worker read the session back without announcing it as news: what the tab hears from
  // it starts with the logout (one sender's broadcasts arrive in order).
  await page.evaluate(() => window.authProxy.logout({ revoke: false }));
  await waitForEvent(page, 'logged-out');
  const heardAfter = (await eventsOf(page)).slice(heardBefore);
  expect(heardAfter[0]?.type).toBe('logged-out');
});

test('after a restart the worker still refreshes with the stored refresh token', async ({ context, app }) => {
  const page = await openApp(context, `${app.origin}/`);
  await login(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await app.expireAccessTokens();

  expect(await fireRequests(page, 5)).toEqual(Array(5).fill(200));
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
});
