import type { Browser, Page } from '@playwright/test';
import type { BenchArm } from './create-bench-app.js';
import { openArmPage } from './open-arm-page.js';
import type { StormClient, StormOptions } from './pages/bench-page-api.js';
import type { BenchServer } from './start-bench-server.js';

export interface StormScenarioOptions {
  tabs: readonly number[];
  requestsPerTab: readonly number[];
  clients: readonly StormClient[];
  /** A tab gives up on a request after this long; it counts as failed. */
  deadlineMs: number;
}

/** One cell: `tabs` tabs × `requestsPerTab` requests, fired right after the access token expired. */
export interface StormCell {
  client: StormClient;
  tabs: number;
  requestsPerTab: number;
  /** `grant_type=refresh_token` calls the server received. */
  refreshCalls: number;
  /** Rotated refresh tokens presented again (each one revokes the session's token family). */
  reuseDetected: number;
  /** API requests the server answered 401 (each one a round trip spent on a dead token). */
  unauthorized: number;
  /** Requests that did not end in a 200. */
  failed: number;
  total: number;
  /** Final status → count over all tabs; `0` is a network error, `-1` still open at the deadline. */
  statuses: Record<string, number>;
  /** From the first tab firing to the last request of any tab settling. */
  settleMs: number;
}

export interface StormResult {
  cells: StormCell[];
}

/**
 * Expiry storms against the rotation-enforcing demo server. Each (client, tabs) pair gets a fresh
 * browser context; each cell starts from a server reset and one login, then `POST /demo/expire`,
 * then every tab fires at once. The per-tab clients run on `/bench/none/` in a context that has
 * never registered a worker (checked), so the proxy cannot be quietly helping them. The `floor`
 * client sends valid tokens through the bare worker without any expiry: whatever fails there is
 * the browser's limit, not an auth strategy's.
 */
export async function runStorms(browser: Browser, server: BenchServer, options: StormScenarioOptions): Promise<StormResult> {
  const cells: StormCell[] = [];
  for (const tabs of options.tabs) {
    for (const client of options.clients) {
      const context = await browser.newContext();
      try {
        const pages: Page[] = [];
        for (let index = 0; index < tabs; index++) {
          pages.push(await openArmPage(context, server.origin, armOf(client)));
        }
        if (armOf(client) === 'none') {
          const states = await Promise.all(pages.map((page) => page.evaluate(() => window.bench.workerState())));
          if (states.some((state) => state.controlled || state.registrations > 0)) {
            throw new Error(`Failed to isolate the ${client} arm: a service worker is registered in its context`);
          }
        }
        for (const requestsPerTab of options.requestsPerTab) {
          cells.push(await runCell(server, pages, { client, requests: requestsPerTab, deadlineMs: options.deadlineMs }));
        }
      } finally {
        await context.close();
      }
    }
  }
  return { cells };
}

/** The proxy runs under its worker, the floor under the bare one, everything else under none. */
function armOf(client: StormClient): BenchArm {
  if (client === 'proxy') return 'proxy';
  return client === 'floor' ? 'bare' : 'none';
}

/**
 * One storm from a server reset and one login: every tab armed, then started by one message.
 * With `expire` (every client but the floor, unless told) the access token is expired first.
 */
export async function runCell(
  server: BenchServer,
  pages: Page[],
  storm: StormOptions,
  expire: boolean = storm.client !== 'floor',
): Promise<StormCell> {
  const [first] = pages;
  if (first === undefined) throw new Error('Failed to run a storm: no tabs');
  await server.reset();
  if (storm.client === 'proxy') {
    if ((await first.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in through the proxy');
  } else {
    await first.evaluate(() => window.bench.loginToLocalStorage());
  }
  // The floor measures the browser, not a refresh: its token stays valid.
  if (expire) await server.expireAccessTokens();

  await Promise.all(pages.map((page) => page.evaluate((o) => window.bench.armStorm(o), storm)));
  const startedAt = await first.evaluate(() => window.bench.goStorm());
  const results = await Promise.all(pages.map((page) => page.evaluate(() => window.bench.stormResult())));
  const stats = await server.stats();

  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const statuses: Record<string, number> = {};
  for (const result of results) {
    for (const [status, count] of Object.entries(result.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    client: storm.client,
    tabs: pages.length,
    requestsPerTab: storm.requests,
    refreshCalls: stats.refreshCalls,
    reuseDetected: stats.reuseDetected,
    unauthorized: stats.unauthorized,
    failed,
    total: results.reduce((sum, result) => sum + result.ok + result.failed, 0),
    statuses,
    settleMs: Math.max(...results.map((result) => result.settledAt)) - startedAt,
  };
}
