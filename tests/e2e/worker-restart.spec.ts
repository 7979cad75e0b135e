import { expect, fireRequests, login, openApp, test } from './fixtures/test.js';

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
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;

  expect(await fireRequests(page, 2)).toEqual([200, 200]);
  // A fresh worker: its in-memory counters started again from zero.
  expect((await page.evaluate(() => window.authProxy.status())).counters.requests).toBe(2);
  const stats = await app.stats();
  expect(stats.loginCalls).toBe(1);
  expect(stats.refreshCalls).toBe(0);
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
