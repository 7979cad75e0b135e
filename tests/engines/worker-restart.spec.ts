import { needs } from './engine.js';
import { eventsOf, expect, fireRequests, freshWorker, login, openApp, test, waitForEvent } from './fixtures.js';

// Stopping a worker takes up to a minute in WebKit (it waits for a worker without clients).
test.describe.configure({ timeout: 120_000 });
// Tokens that outlive the test: the demo's 30 s login token may be refreshed ahead from 9 s on (a
// login is off schedule, so its refresh window is wide), and a WebKit stop under load takes longer
// than that; the refresh counts below are about the restart, not about that window.
test.use({ serverEnv: { ACCESS_TOKEN_TTL: '3600' } });

test('a stopped worker restarts with the session from IndexedDB, no new login', { tag: needs('stop-worker') }, async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  expect(await fireRequests(tab, 3)).toEqual([[200, 200, 200]]);
  const heardBefore = (await eventsOf(tab)).length;

  await session.stopWorker(freshWorker(tab));

  expect(await fireRequests(tab, 2)).toEqual([[200, 200]]);
  const stats = await app.stats();
  expect(stats.loginCalls).toBe(1);
  expect(stats.refreshCalls).toBe(0);
  // The fresh worker read the session back without announcing it as news: the first thing the tab
  // hears from it is the logout it asks for, which moves the session out of `authenticated` (one
  // sender's broadcasts arrive in order). In WebKit
  // the tab itself was reloaded to let the worker stop, so it starts with an empty event list.
  const reloaded = (await eventsOf(tab)).length < heardBefore;
  await tab.evaluate(() => window.authProxy.logout({ revoke: false }));
  await waitForEvent(tab, 'logged-out');
  const heardAfter = (await eventsOf(tab)).slice(reloaded ? 0 : heardBefore);
  expect(heardAfter[0]).toEqual({
    type: 'state-changed',
    detail: expect.objectContaining({ state: 'anonymous', previous: 'authenticated' }),
  });
  expect(heardAfter.map((event) => event.type)).toContain('logged-out');
});

test(
  'after a restart the worker still refreshes with the stored refresh token',
  { tag: needs('stop-worker') },
  async ({ session, app }) => {
    const tab = await openApp(session, `${app.origin}/`);
    await login(tab);
    expect(await fireRequests(tab, 1)).toEqual([[200]]);
    await session.stopWorker(freshWorker(tab));
    await app.expireAccessTokens();

    expect(await fireRequests(tab, 5)).toEqual([Array(5).fill(200)]);
    const stats = await app.stats();
    expect(stats.refreshCalls).toBe(1);
    expect(stats.reuseDetected).toBe(0);
  },
);
