import type { Browser, Page } from '@playwright/test';
import type { BenchArm } from './create-bench-app.js';
import { median, percentile, spread, type Spread } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { LatencyRunOptions } from './pages/bench-page-api.js';
import type { BenchServer } from './start-bench-server.js';

export interface OverheadOptions {
  /** Requests per arm and mode, split evenly over the rounds. */
  requests: number;
  rounds: number;
  /** In-flight requests of the concurrent mode. */
  concurrency: number;
  /** Unmeasured requests per arm and mode first (JIT, connection pool). */
  warmup: number;
}

export interface ArmLatency {
  medianMs: number;
  p95Ms: number;
  failures: number;
  samples: number;
}

/** The latency arms: the header floor is measured by the CPU step only, the idb floor by the cold start. */
export type OverheadArm = Exclude<BenchArm, 'header' | 'idb'>;

export interface OverheadMode {
  concurrency: number;
  arms: Record<OverheadArm, ArmLatency>;
  /** proxy median / bare median over all samples. */
  ratioToBare: number;
  /** proxy median / no-SW median over all samples. */
  ratioToNone: number;
  /** The same ratios computed round by round. */
  roundRatioToBare: Spread;
  roundRatioToNone: Spread;
  /** proxy with DPoP median / proxy median, over all samples and round by round. */
  dpopToProxy: number;
  roundDpopToProxy: Spread;
}

export interface OverheadResult {
  requestsPerArm: number;
  rounds: number;
  sequential: OverheadMode;
  concurrent: OverheadMode;
  /**
   * What the server spent checking one DPoP proof (jose: signature, claims, `ath`, thumbprint), on
   * average over the sequential mode (with 50 in flight the checks interleave and their wall time
   * says nothing): part of the DPoP arm's latency that is not the worker's.
   */
  dpopServerVerifyUs: number;
}

const ARMS: readonly OverheadArm[] = ['none', 'bare', 'proxy', 'dpop'];

/**
 * Per-request latency through no worker, a bare pass-through worker, sw-auth-proxy, and
 * sw-auth-proxy with DPoP, all from the same origin to the same `/api/items/:id`. The server
 * verifies a JWT in every arm: the no-SW and bare pages send a valid bearer token themselves, the
 * proxy pages send none and the worker attaches it (with DPoP, and a proof the server verifies). The arms run in interleaved rounds (the order rotating each round) so that noise
 * on the machine lands on every arm alike.
 */
export async function runOverhead(browser: Browser, server: BenchServer, options: OverheadOptions): Promise<OverheadResult> {
  const context = await browser.newContext();
  try {
    const pages = {} as Record<OverheadArm, Page>;
    for (const arm of ARMS) pages[arm] = await openArmPage(context, server.origin, arm);
    for (const arm of ['proxy', 'dpop'] as const) {
      if ((await pages[arm].evaluate(() => window.bench.login())) !== 200) throw new Error(`Failed to log in the ${arm} arm`);
    }
    const authorization = `Bearer ${await server.login()}`;

    const run = (arm: OverheadArm, count: number, concurrency: number, recordLatencies = true) => {
      const runOptions: LatencyRunOptions = {
        path: '/api/items',
        count,
        concurrency,
        authorization: arm === 'proxy' || arm === 'dpop' ? null : authorization,
        recordLatencies,
      };
      return pages[arm].evaluate((o) => window.bench.runLatency(o), runOptions);
    };

    const measureMode = async (concurrency: number): Promise<OverheadMode> => {
      for (const arm of ARMS) await run(arm, options.warmup, concurrency, false);
      const perRound = Math.ceil(options.requests / options.rounds);
      const all = { none: [], bare: [], proxy: [], dpop: [] } as Record<OverheadArm, number[]>;
      const failures = { none: 0, bare: 0, proxy: 0, dpop: 0 } as Record<OverheadArm, number>;
      const toBare: number[] = [];
      const toNone: number[] = [];
      const dpopToProxy: number[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const roundMedians = {} as Record<OverheadArm, number>;
        for (let step = 0; step < ARMS.length; step++) {
          const arm = ARMS[(round + step) % ARMS.length]!;
          const result = await run(arm, perRound, concurrency);
          all[arm].push(...result.latencies);
          failures[arm] += result.failures;
          roundMedians[arm] = median(result.latencies);
        }
        toBare.push(roundMedians.proxy / roundMedians.bare);
        toNone.push(roundMedians.proxy / roundMedians.none);
        dpopToProxy.push(roundMedians.dpop / roundMedians.proxy);
      }
      const arms = {} as Record<OverheadArm, ArmLatency>;
      for (const arm of ARMS) {
        arms[arm] = { medianMs: median(all[arm]), p95Ms: percentile(all[arm], 0.95), failures: failures[arm], samples: all[arm].length };
      }
      return {
        concurrency,
        arms,
        ratioToBare: arms.proxy.medianMs / arms.bare.medianMs,
        ratioToNone: arms.proxy.medianMs / arms.none.medianMs,
        roundRatioToBare: spread(toBare),
        roundRatioToNone: spread(toNone),
        dpopToProxy: arms.dpop.medianMs / arms.proxy.medianMs,
        roundDpopToProxy: spread(dpopToProxy),
      };
    };

    const before = await server.stats();
    const sequential = await measureMode(1);
    const after = await server.stats();
    const concurrent = await measureMode(options.concurrency);
    const dpopServerVerifyUs = ((after.dpopVerifyMs - before.dpopVerifyMs) * 1000) / Math.max(1, after.dpopProofs - before.dpopProofs);

    return {
      requestsPerArm: Math.ceil(options.requests / options.rounds) * options.rounds,
      rounds: options.rounds,
      sequential,
      concurrent,
      dpopServerVerifyUs,
    };
  } finally {
    await context.close();
  }
}
