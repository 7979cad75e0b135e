import { eventsOf, expect, fireRequests, login, openApps, test, waitForEvent } from './fixtures.js';

test('5 tabs × 20 concurrent requests after expiry: all succeed with exactly one refresh', async ({ session, app }) => {
  const tabs = await openApps(session, `${app.origin}/`, 5);
  await login(tabs[0]!);
  await app.expireAccessTokens();

  const results = await fireRequests(tabs, 20);

  expect(results.flat()).toEqual(Array(100).fill(200));
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
  expect(stats.loginCalls).toBe(1);
  // Every tab hears about the one refresh.
  for (const tab of tabs) await waitForEvent(tab, 'token-refreshed');
});

test('a revoked session ends in every tab with one refresh attempt', async ({ session, app }) => {
  const tabs = await openApps(session, `${app.origin}/`, 3);
  await login(tabs[0]!);
  await app.revokeAll();

  const results = await fireRequests(tabs, 10);

  expect(results.flat()).toEqual(Array(30).fill(401));
  for (const tab of tabs) await waitForEvent(tab, 'session-expired');
  for (const tab of tabs) {
    const expired = (await eventsOf(tab)).filter((event) => event.type === 'session-expired');
    expect(expired).toEqual([{ type: 'session-expired', detail: { reason: 'invalid_grant', refreshId: expect.any(String) } }]);
  }
  // Later requests do not try again: the failed session is never refreshed twice.
  expect(await fireRequests(tabs[1]!, 5)).toEqual([Array(5).fill(401)]);
  expect((await app.stats()).refreshCalls).toBe(1);
  expect(await tabs[2]!.evaluate(() => window.authProxy.status().then((s) => s.state))).toBe('expired');
});

test('logout in one tab logs out every tab', async ({ session, app }) => {
  const [first, second] = await openApps(session, `${app.origin}/`, 2);
  await login(first!);
  expect(await fireRequests(second!, 1)).toEqual([[200]]);

  await first!.evaluate(() => window.authProxy.logout());

  await waitForEvent(second!, 'logged-out');
  expect(await fireRequests(second!, 1)).toEqual([[401]]);
  expect((await app.stats()).refreshCalls).toBe(0);
});
