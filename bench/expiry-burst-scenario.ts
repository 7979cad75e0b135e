import type { Browser, Page } from '@playwright/test';
import { median } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { BenchServer } from './start-bench-server.js';
import { runCell, type StormCell } from './storm-scenario.js';

export interface ExpiryBurstOptions {
  tabs: number;
  requestsPerTab: number;
  /** Bursts of each kind, alternating (after one unmeasured burst of each). */
  rounds: number;
  deadlineMs: number;
}

/** One kind of burst over every round. */
export interface ExpiryBurstArm {
  /** Median time from the start until every request of every tab settled. */
  settleMs: number;
  /** Largest refresh-call count of one burst (1 expected after an expiry, 0 with a valid token). */
  maxRefreshCalls: number;
  reuseDetected: number;
  /** Median of the 401s the server answered per burst: requests that went out with the dead token. */
  unauthorized: number;
  /** Requests that did not end in a 200, over every round. */
  failed: number;
  total: number;
}

export interface ExpiryBurstResult {
  tabs: number;
  requestsPerTab: number;
  rounds: number;
  valid: ExpiryBurstArm;
  expired: ExpiryBurstArm;
  /** Median settle time after an expiry ÷ with a valid token. */
  ratio: number;
}

/**
 * What an expiry costs a burst: T tabs × R concurrent GETs through the proxy right after
 * `POST /demo/expire` (each one's first answer a 401, one refresh, then replays) against the same
 * burst with a valid token, alternating in one context, each burst from a reset and a login.
 */
export async function runExpiryBurst(browser: Browser, server: BenchServer, options: ExpiryBurstOptions): Promise<ExpiryBurstResult> {
  const context = await browser.newContext();
  try {
    const pages: Page[] = [];
    for (let index = 0; index < options.tabs; index++) pages.push(await openArmPage(context, server.origin, 'proxy'));
    const storm = { client: 'proxy' as const, requests: options.requestsPerTab, deadlineMs: options.deadlineMs };
    // JIT, connections and the worker's first IndexedDB open land here, on neither figure.
    await runCell(server, pages, storm, false);
    await runCell(server, pages, storm, true);
    const valid: StormCell[] = [];
    const expired: StormCell[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which kind goes first, so a slow stretch of the machine hits both alike.
      for (const expire of round % 2 === 0 ? [false, true] : [true, false]) {
        (expire ? expired : valid).push(await runCell(server, pages, storm, expire));
      }
    }
    const summary = (cells: StormCell[]): ExpiryBurstArm => ({
      settleMs: median(cells.map((cell) => cell.settleMs)),
      maxRefreshCalls: Math.max(...cells.map((cell) => cell.refreshCalls)),
      reuseDetected: cells.reduce((sum, cell) => sum + cell.reuseDetected, 0),
      unauthorized: median(cells.map((cell) => cell.unauthorized)),
      failed: cells.reduce((sum, cell) => sum + cell.failed, 0),
      total: cells.reduce((sum, cell) => sum + cell.total, 0),
    });
    const result = { valid: summary(valid), expired: summary(expired) };
    return { ...options, ...result, ratio: result.expired.settleMs / result.valid.settleMs };
  } finally {
    await context.close();
  }
}
