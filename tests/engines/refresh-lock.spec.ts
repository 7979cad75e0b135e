import { expect, login, openApp, test, waitForEvent } from './fixtures.js';

/** The lock every refresh and logout of the demo's worker takes (its database is the default one). */
const LOCK = 'sw-auth-proxy:refresh:sw-auth-proxy';

declare global {
  interface Window {
    /** Lets go of the refresh lock the test took in the page. */
    releaseRefreshLock?: () => void;
    /** The status the request sent while the lock was held answers with. */
    pendingStatus?: Promise<number>;
  }
}

test('a refresh waits for the refresh lock another context holds, then makes one call', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  await app.expireAccessTokens();

  // The page takes the lock, as another worker version (or a page engine) would mid-refresh.
  await tab.evaluate(
    (name) =>
      new Promise<void>((granted) => {
        void navigator.locks.request(name, () => {
          granted();
          return new Promise<void>((release) => (window.releaseRefreshLock = release));
        });
      }),
    LOCK,
  );
  await tab.evaluate(() => {
    window.pendingStatus = fetch('/api/me').then((response) => response.status);
  });
  await waitForEvent(tab, 'refresh-started');
  // The worker's request for the lock is queued behind the page's: the browser's lock manager says so.
  const queued = await tab.evaluate(async (name) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { pending = [] } = await navigator.locks.query();
      if (pending.some((lock) => lock.name === name)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }, LOCK);
  expect(queued).toBe(true);
  expect((await app.stats()).refreshCalls).toBe(0);

  await tab.evaluate(() => window.releaseRefreshLock!());
  expect(await tab.evaluate(() => window.pendingStatus!)).toBe(200);
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
});
