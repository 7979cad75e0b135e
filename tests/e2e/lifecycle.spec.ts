import type { Page } from '@playwright/test';
import { expect, fireRequests, login, openApp, test } from './fixtures/test.js';

declare global {
  interface Window {
    controlledAtStart: boolean;
  }
}

/** Note, before any page script runs, whether a worker controls the document. */
async function recordControllerAtStart(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.controlledAtStart = navigator.serviceWorker.controller !== null;
  });
}

test('the first page load is controlled without a reload', async ({ context, app }) => {
  const page = await context.newPage();
  await recordControllerAtStart(page);
  await page.goto(`${app.origin}/`);
  const before = await page.evaluate(() => window.controlledAtStart);
  const info = await page.evaluate(() => window.authProxy.ready);

  expect(before).toBe(false); // nothing controlled the very first load
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${app.origin}/auth-sw.js`);
  expect(info.clientId).toEqual(expect.any(String));
  await login(page);
  expect(await fireRequests(page, 2)).toEqual([200, 200]);
});

test('a hard-reloaded (uncontrolled) page is claimed before ready resolves', async ({ context, app }) => {
  const page = await openApp(context, `${app.origin}/`);
  await login(page);

  await recordControllerAtStart(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // Shift-reload: the browser bypasses the service worker for this page load.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Page.reload', { ignoreCache: true });
  await page.waitForFunction(() => document.readyState === 'complete' && 'authProxy' in window);
  const controlledAtLoad = await page.evaluate(() => window.controlledAtStart);
  await page.evaluate(() => window.authProxy.ready);

  expect(controlledAtLoad).toBe(false);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await fireRequests(page, 2)).toEqual([200, 200]);
});

test('an invalid config fails the install and ready rejects with the ConfigError', async ({ context, app }) => {
  const page = await context.newPage();
  // The worker's own console has the ConfigError; DevTools reports it as a worker error.
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const reported = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerErrorReported', ({ errorMessage }) => resolve(errorMessage.errorMessage));
  });
  await page.goto(`${app.origin}/variants/bad-config/`);
  const error = await page.evaluate(() =>
    window.authProxy.ready.then(
      () => null,
      (error: Error) => ({ name: error.name, message: error.message }),
    ),
  );

  // The demo page falls back to page mode with the same config, whose check throws the same
  // ConfigError in the page: the page hears what to fix, not only that the worker failed.
  expect(error).toEqual({ name: 'ConfigError', message: expect.stringContaining('`protectedOrigins[0]` must be an origin only') });
  const message = await reported;
  expect(message).toContain('ConfigError');
  expect(message).toContain('`protectedOrigins[0]` must be an origin only');
  expect(message).toContain('Write "https://api.example.com" and put any path in `pathPrefixes`');
  expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
});

test('status() reports the session from the worker without any token', async ({ context, app }) => {
  const page = await openApp(context, `${app.origin}/`);
  expect(await page.evaluate(() => window.authProxy.status().then((s) => s.state))).toBe('anonymous');
  await login(page);
  await fireRequests(page, 4);

  const status = await page.evaluate(() => window.authProxy.status());
  expect(status).toMatchObject({
    state: 'authenticated',
    hasValidToken: true,
    generation: 1,
    pendingRequests: 0,
    counters: { requests: 4, replayed: 0, refreshes: 0, refreshFailures: 0, replaysSkipped: 0 },
  });
  expect(status.expiresAt).toBeGreaterThan(Date.now());
});
