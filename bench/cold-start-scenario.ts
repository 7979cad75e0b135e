import type { Browser, CDPSession, Page } from '@playwright/test';
import { median } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { BenchServer } from './start-bench-server.js';

export interface ColdStartOptions {
  repetitions: number;
}

export interface ColdStartArm {
  /** Median latency of a request to a running worker. */
  warmMs: number;
  /** Median latency of the first request after the worker was stopped. */
  coldMs: number;
  /** Median of the per-repetition (cold − warm). */
  penaltyMs: number;
}

export interface ColdStartResult {
  repetitions: number;
  bare: ColdStartArm;
  proxy: ColdStartArm;
  /** Median of the per-repetition (proxy penalty − bare penalty): the two arms run back to back. */
  pairedExtraMs: number;
}

type WorkerArm = 'bare' | 'proxy';

/**
 * The first protected request after the worker was stopped (DevTools' `ServiceWorker.stopAllWorkers`,
 * as the browser does to idle workers) against one to a running worker. The browser must start the
 * worker and run its script; the proxy also reopens IndexedDB for the session. The bare worker's
 * penalty is the floor any worker pays. Arms alternate within each repetition.
 */
export async function runColdStart(browser: Browser, server: BenchServer, options: ColdStartOptions): Promise<ColdStartResult> {
  const arms: WorkerArm[] = ['bare', 'proxy'];
  const authorization = `Bearer ${await server.login()}`;
  const setups = await Promise.all(
    arms.map(async (arm) => {
      const context = await browser.newContext();
      const page = await openArmPage(context, server.origin, arm);
      if (arm === 'proxy' && (await page.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in the proxy arm');
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      return { arm, context, page, cdp, warm: [] as number[], cold: [] as number[] };
    }),
  );
  try {
    for (let repetition = 0; repetition < options.repetitions; repetition++) {
      for (let step = 0; step < setups.length; step++) {
        const setup = setups[(repetition + step) % setups.length]!;
        const request = (count: number) => oneByOne(setup.page, count, setup.arm === 'proxy' ? null : authorization);
        await request(5);
        setup.warm.push(...(await request(1)));
        await stopWorker(setup.cdp, `${server.origin}/bench/${setup.arm}/sw.js`);
        setup.cold.push(...(await request(1)));
      }
    }
    const summary = (setup: (typeof setups)[number]): ColdStartArm => ({
      warmMs: median(setup.warm),
      coldMs: median(setup.cold),
      penaltyMs: median(setup.cold.map((cold, index) => cold - setup.warm[index]!)),
    });
    const [bare, proxy] = setups as [(typeof setups)[number], (typeof setups)[number]];
    const penalty = (setup: typeof bare, index: number): number => setup.cold[index]! - setup.warm[index]!;
    return {
      repetitions: options.repetitions,
      bare: summary(bare),
      proxy: summary(proxy),
      pairedExtraMs: median(proxy.cold.map((_, index) => penalty(proxy, index) - penalty(bare, index))),
    };
  } finally {
    await Promise.all(setups.map((setup) => setup.context.close()));
  }
}

async function oneByOne(page: Page, count: number, authorization: string | null): Promise<number[]> {
  const result = await page.evaluate((o) => window.bench.runLatency(o), {
    path: '/api/items',
    count,
    concurrency: 1,
    authorization,
    recordLatencies: true,
  });
  if (result.failures > 0) throw new Error(`Failed to measure a cold start: ${result.failures} requests failed`);
  return result.latencies;
}

/** Stops every worker of the page's context and resolves once DevTools reports `scriptUrl` stopped. */
async function stopWorker(cdp: CDPSession, scriptUrl: string): Promise<void> {
  let onUpdate: ((event: { versions: { scriptURL: string; runningStatus: string }[] }) => void) | undefined;
  const stopped = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Failed to stop the worker ${scriptUrl}: no "stopped" within 10 s`)), 10_000);
    onUpdate = ({ versions }) => {
      if (versions.some((version) => version.scriptURL === scriptUrl && version.runningStatus === 'stopped')) {
        clearTimeout(timer);
        resolve();
      }
    };
    cdp.on('ServiceWorker.workerVersionUpdated', onUpdate);
  });
  try {
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
  } finally {
    if (onUpdate) cdp.off('ServiceWorker.workerVersionUpdated', onUpdate);
  }
}
