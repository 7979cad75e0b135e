import type { Browser } from '@playwright/test';
import { percentile } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { SteadyRunResult } from './pages/bench-page-api.js';
import type { BenchServer } from './start-bench-server.js';

export interface ExpirySteadyOptions {
  /** Tabs sending at once, each on its own schedule. */
  tabs: number;
  durationMs: number;
  /** One GET per tab every this many milliseconds. */
  intervalMs: number;
  /** A request fired within this much of an expiry counts as near it. */
  windowMs: number;
}

/** Requests on one side of the split. */
export interface SteadyGroup {
  requests: number;
  medianMs: number;
  p99Ms: number;
}

export interface ExpirySteadyResult extends ExpirySteadyOptions {
  /** The server's access-token lifetime and the worker's `refreshAhead.minMs` in this run. */
  accessTokenTtlSeconds: number;
  refreshAheadMinMs: number;
  /** Expiries inside the traffic (each token's issue + lifetime, on the server's clock). */
  expiries: number;
  /** `grant_type=refresh_token` calls during the run, and how many rotated a token. */
  refreshCalls: number;
  rotated: number;
  reuseDetected: number;
  /** Median of how long before its token's expiry each refresh arrived (the proactive lead). */
  medianLeadMs: number;
  /** Requests that did not end in a 200. */
  failed: number;
  nearExpiry: SteadyGroup;
  others: SteadyGroup;
  /** p99 near an expiry ÷ p99 of the others. */
  p99Ratio: number;
}

/**
 * Steady traffic through the proxy across several access-token expiries, on a server whose tokens
 * live a few seconds, with the worker's proactive refresh on (it refreshes ahead of expiry, and
 * requests go on with the still-valid token meanwhile). Requests fired within `windowMs` of an
 * expiry are compared with all the others.
 */
export async function runExpirySteady(
  browser: Browser,
  server: BenchServer,
  options: ExpirySteadyOptions & { accessTokenTtlSeconds: number; refreshAheadMinMs: number },
): Promise<ExpirySteadyResult> {
  const context = await browser.newContext();
  try {
    const pages = [];
    for (let index = 0; index < options.tabs; index++) pages.push(await openArmPage(context, server.origin, 'proxy'));
    const [first] = pages;
    if (first === undefined) throw new Error('Failed to run steady traffic: no tabs');
    await server.reset();
    if ((await first.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in through the proxy');
    // JIT and connections: unmeasured, and before the measured session's login.
    for (const page of pages) {
      await page.evaluate((o) => window.bench.runLatency(o), {
        path: '/api/items',
        count: 200,
        concurrency: 4,
        authorization: null,
        recordLatencies: false,
      });
    }
    await server.reset();
    const loggedInAt = Date.now();
    if ((await first.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in through the proxy');
    // Every tab starts on its own schedule, offset by a fraction of the interval.
    const runs: SteadyRunResult[] = await Promise.all(
      pages.map((page) =>
        page.evaluate((o) => window.bench.runSteady(o), {
          path: '/api/items',
          durationMs: options.durationMs,
          intervalMs: options.intervalMs,
        }),
      ),
    );
    const [stats, log] = await Promise.all([server.stats(), server.refreshLog()]);

    const lifetimeMs = options.accessTokenTtlSeconds * 1000;
    const issued = [loggedInAt, ...log.filter((entry) => entry.outcome === 'rotated').map((entry) => entry.at)];
    const starts = runs.flatMap((run) => run.startedAt);
    const from = Math.min(...starts);
    const to = Math.max(...starts);
    const expiries = issued.map((at) => at + lifetimeMs).filter((at) => at >= from - options.windowMs && at <= to + options.windowMs);
    // Each refresh replaces the token issued just before it: its lead is that token's expiry − now.
    const leads = log.filter((entry) => entry.outcome === 'rotated').map((entry, index) => issued[index]! + lifetimeMs - entry.at);

    const near: number[] = [];
    const others: number[] = [];
    let failed = 0;
    for (const run of runs) {
      run.startedAt.forEach((startedAt, index) => {
        if (run.statuses[index] !== 200) failed++;
        const isNear = expiries.some((expiry) => Math.abs(startedAt - expiry) <= options.windowMs);
        (isNear ? near : others).push(run.latencies[index]!);
      });
    }
    const group = (samples: number[]): SteadyGroup => ({
      requests: samples.length,
      medianMs: percentile(samples, 0.5),
      p99Ms: percentile(samples, 0.99),
    });
    const nearExpiry = group(near);
    const rest = group(others);
    return {
      tabs: options.tabs,
      durationMs: options.durationMs,
      intervalMs: options.intervalMs,
      windowMs: options.windowMs,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      refreshAheadMinMs: options.refreshAheadMinMs,
      expiries: expiries.length,
      refreshCalls: stats.refreshCalls,
      rotated: issued.length - 1,
      reuseDetected: stats.reuseDetected,
      medianLeadMs: percentile(leads, 0.5),
      failed,
      nearExpiry,
      others: rest,
      p99Ratio: nearExpiry.p99Ms / rest.p99Ms,
    };
  } finally {
    await context.close();
  }
}
