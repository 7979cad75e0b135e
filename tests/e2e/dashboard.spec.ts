import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { chatReply } from '../../demo/server/chat-reply.js';
import type { DemoStats } from '../../demo/server/demo-control-routes.js';
import { expect, openApp, test } from './fixtures/test.js';

/** The counters the dashboard shows, keyed like `/demo/stats`. */
const SHOWN_COUNTERS = ['loginCalls', 'refreshCalls', 'reuseDetected', 'unauthorized', 'apiCalls', 'faultsInjected'] as const;

async function shownCounters(page: Page): Promise<Record<string, number>> {
  return page
    .locator('#server-stats [data-counter]')
    .evaluateAll((tiles) =>
      Object.fromEntries(tiles.map((tile) => [tile.getAttribute('data-counter'), Number(tile.querySelector('.value')?.textContent)])),
    );
}

function pick(stats: DemoStats): Record<string, number> {
  return Object.fromEntries(SHOWN_COUNTERS.map((key) => [key, stats[key]]));
}

/** Attach a full-page screenshot to the report and keep a copy at `test-results/<name>.png`. */
async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ fullPage: true });
  await writeFile(join(testInfo.project.outputDir, `${name}.png`), body);
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

async function logIn(page: Page): Promise<void> {
  await page.locator('#login').click();
  await expect(page.locator('#proxy-state')).toHaveText('authenticated');
}

test('two tabs: a storm after expiry shows one refresh, the same in both timelines, and the server counters', async ({
  context,
  app,
}, testInfo) => {
  const first = await openApp(context, `${app.origin}/`);
  const second = await openApp(context, `${app.origin}/`);
  await logIn(first);
  await expect(second.locator('#proxy-state')).toHaveText('authenticated');

  await first.locator('#expire').click();
  await expect(first.locator('#action-result')).toContainText('expired every access token');
  await first.locator('#storm-size').fill('20');
  await first.locator('#storm').click();
  await expect(first.locator('#storm-result')).toHaveText(/^20\/20 answered 200 in /);

  const refreshed = (page: Page) => page.locator('#timeline tbody tr[data-outcome="refreshed"]');
  await expect(refreshed(first)).toHaveCount(1);
  await expect(refreshed(second)).toHaveCount(1);
  const row = async (page: Page) => ({
    refreshId: await refreshed(page).getAttribute('data-refresh-id'),
    cells: await refreshed(page).locator('td').allTextContents(),
  });
  const inFirst = await row(first);
  expect(await row(second)).toEqual(inFirst);

  // The row says what the worker said: triggered by the first tab's 401, with the storm waiting on it.
  const announced = await first.evaluate(
    () =>
      window.authEvents.find((event) => event.type === 'token-refreshed')?.detail as {
        refreshId: string;
        waiters: number;
        attempts: number;
      },
  );
  const [, trigger, tab, waiters, attempts, , outcome] = inFirst.cells;
  expect(inFirst.refreshId).toBe(announced.refreshId);
  expect(trigger).toMatch(/^401 from the API\s*GET \/api\/items\/\d+$/);
  expect(tab).toBe((await first.locator('#tab-name').textContent())?.replace('this is ', ''));
  expect(Number(waiters)).toBe(announced.waiters);
  expect(announced.waiters).toBeGreaterThan(0);
  expect(Number(attempts)).toBe(1);
  expect(outcome).toBe('new token, generation 2');
  await expect(refreshed(first)).toHaveClass('mine');
  await expect(refreshed(second)).not.toHaveClass('mine');

  // The tiles show what /demo/stats says, in both tabs (they poll, so wait for them to catch up).
  await expect(async () => {
    const stats = pick(await app.stats());
    expect(await shownCounters(first)).toEqual(stats);
    expect(await shownCounters(second)).toEqual(stats);
  }).toPass({ timeout: 15_000 });
  expect(await shownCounters(first)).toMatchObject({ loginCalls: 1, refreshCalls: 1, reuseDetected: 0 });

  await expect(first.locator('[data-field="generation"]')).toHaveText('2');
  await expect(second.locator('[data-field="generation"]')).toHaveText('2');
  await screenshot(first, testInfo, 'dashboard-first-tab');
  await screenshot(second, testInfo, 'dashboard-second-tab');
});

test('an injected refresh fault shows as failed attempts on the timeline, then the new token', async ({ context, app }, testInfo) => {
  const page = await openApp(context, `${app.origin}/`);
  await logIn(page);

  await page.locator('#fault-status').selectOption('500');
  await page.locator('#fault-count').fill('2');
  await page.locator('#inject-fault').click();
  await expect(page.locator('#action-result')).toContainText('the next 2 refresh calls answer 500');
  await page.locator('#expire').click();
  await page.locator('#storm-size').fill('5');
  await page.locator('#storm').click();

  // The worker's backoff (1 s base, full jitter) retries twice before the third attempt succeeds.
  await expect(page.locator('#storm-result')).toHaveText(/^5\/5 answered 200 in /);
  const row = page.locator('#timeline tbody tr[data-outcome="refreshed"]');
  await expect(row.locator('td').nth(4)).toHaveText('3');
  await expect(row.locator('td').nth(6)).toHaveText('new token, generation 2 (after #1 500, #2 500)');
  await expect(async () => expect(await shownCounters(page)).toEqual(pick(await app.stats()))).toPass({ timeout: 15_000 });
  expect(await shownCounters(page)).toMatchObject({ refreshCalls: 3, faultsInjected: 2, reuseDetected: 0 });
  await screenshot(page, testInfo, 'dashboard-refresh-fault');
});

test('the chat and event-stream panels read through the worker, across a token expiry', async ({ context, app }, testInfo) => {
  const page = await openApp(context, `${app.origin}/`);
  await logIn(page);

  await page.locator('#chat-words').fill('12');
  await page.locator('#chat-start').click();
  await expect(page.locator('#chat-output')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#chat-output')).toHaveText(chatReply('ada', 12).join(' '));

  await page.locator('#sse-connect').click();
  await expect(page.locator('#sse-state')).toHaveText('open');
  await expect(page.locator('#sse-ticks li')).toHaveCount(1);
  // The server ends the stream with the token; the browser reconnects, the worker refreshes.
  await page.locator('#expire').click();
  await expect(page.locator('#sse-facts')).toContainText('1 reconnects');
  await expect(page.locator('#sse-ticks li').first()).toContainText(/^#[3-9]/);
  await expect(page.locator('#sse-state')).toHaveText('open');
  await screenshot(page, testInfo, 'dashboard-streams');
  await page.locator('#sse-disconnect').click();
  await expect(page.locator('#sse-state')).toHaveText('closed');
});

test('with a DPoP worker the dashboard shows the key the session is bound to and the last proof the server verified', async ({
  context,
  app,
}, testInfo) => {
  const page = await openApp(context, `${app.origin}/variants/dpop/`);
  await logIn(page);
  const thumbprint = (await page.evaluate(() => window.authProxy.status())).dpopThumbprint;
  expect(thumbprint).toMatch(/^[\w-]{43}$/);
  await expect(page.locator('[data-field="dpop-key"]')).toHaveText(thumbprint!);

  // A protected call through the worker; the panels update on the events it causes.
  expect(await page.evaluate(() => fetch('/api/me').then((response) => response.status))).toBe(200);
  // Any action refreshes the panels; expiring the token is one that needs no setup.
  await page.locator('#expire').click();
  await expect(page.locator('[data-field="dpop-proof"]')).toContainText(`key ${thumbprint}`);
  await expect(page.locator('[data-field="dpop-proof"]')).toContainText(/DPoP: \d+ proofs verified, \d+ refused · last (GET|POST) \//);
  // Neither panel ever shows a token.
  expect(await page.locator('body').innerText()).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  await screenshot(page, testInfo, 'dashboard-dpop');
});
