import type { Page } from '@playwright/test';
import { eventsOf, expect, fireRequests, login, openApp, test, waitForEvent } from './fixtures/test.js';

test('5 tabs × 20 concurrent requests after expiry: all succeed with exactly one refresh', async ({ context, app }) => {
  const tabs: Page[] = [];
  for (let i = 0; i < 5; i++) tabs.push(await openApp(context, `${app.origin}/`));
  await login(tabs[0]!);
  await app.expireAccessTokens();

  const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 20)));

  expect(results.flat()).toEqual(Array(100).fill(200));
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(stats.reuseDetected).toBe(0);
  expect(stats.loginCalls).toBe(1);
  // Every tab hears about the one refresh.
  for (const tab of tabs) await waitForEvent(tab, 'token-refreshed');
});

test('a revoked session ends in every tab with one refresh attempt', async ({ context, app }) => {
  const tabs: Page[] = [];
  for (let i = 0; i < 3; i++) tabs.push(await openApp(context, `${app.origin}/`));
  await login(tabs[0]!);
  await app.revokeAll();

  const results = await Promise.all(tabs.map((tab) => fireRequests(tab, 10)));

  expect(results.flat()).toEqual(Array(30).fill(401));
  for (const tab of tabs) await waitForEvent(tab, 'session-expired');
  for (const tab of tabs) {
    const expired = (await eventsOf(tab)).filter((event) => event.type === 'session-expired');
    expect(expired).toEqual([{ type: 'session-expired', detail: { reason: 'invalid_grant', refreshId: expect.any(String) } }]);
  }
  // Later requests do not try again: the failed session is never refreshed twice.
  expect(await fireRequests(tabs[1]!, 5)).toEqual(Array(5).fill(401));
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  expect(await tabs[2]!.evaluate(() => window.authProxy.status().then((s) => s.state))).toBe('expired');
});

test('logout in one tab logs out every tab', async ({ context, app }) => {
  const first = await openApp(context, `${app.origin}/`);
  const second = await openApp(context, `${app.origin}/`);
  await login(first);
  expect(await fireRequests(second, 1)).toEqual([200]);

  await first.evaluate(() => window.authProxy.logout());

  await waitForEvent(second, 'logged-out');
  expect(await fireRequests(second, 1)).toEqual([401]);
  expect((await app.stats()).refreshCalls).toBe(0);
});
