import type { Browser } from '@playwright/test';
import { openArmPage } from './open-arm-page.js';
import type { BenchServer } from './start-bench-server.js';
import { WorkerCdpSession } from './worker-cdp-session.js';

export interface MemoryOptions {
  requests: number;
  /** Requests through the bare worker, the reference for Blink's own heap growth. */
  referenceRequests: number;
  warmup: number;
  concurrency: number;
}

/** One worker's heap across a run. */
export interface HeapRun {
  requests: number;
  /** V8 heap in use after a full GC (`Runtime.getHeapUsage().usedSize`), before and after. */
  beforeBytes: number;
  afterBytes: number;
  growthBytes: number;
  /** Blink's own heap of the worker (`embedderHeapUsedSize`): Request, Response, Headers, events. */
  embedderGrowthBytes: number;
  failures: number;
  elapsedMs: number;
}

export interface MemoryResult {
  proxy: HeapRun;
  /** The bare pass-through worker, shorter: what any worker's heap does per request. */
  bare: HeapRun;
}

interface HeapUsage {
  usedSize: number;
  embedderHeapUsedSize?: number;
}

/**
 * The proxy worker's heap after a full GC, before and after `requests` protected requests from a
 * logged-in page, and the bare worker's over `referenceRequests` for comparison. Leaks in the
 * request path (listeners, per-request closures kept in maps, growing caches) show up as growth; a
 * worker restart in between would hide them, so the worker's `performance.timeOrigin` must be the
 * same at both ends.
 */
export async function runMemory(browser: Browser, server: BenchServer, options: MemoryOptions): Promise<MemoryResult> {
  const bare = await measureWorkerHeap(browser, server, 'bare', options.referenceRequests, options);
  const proxy = await measureWorkerHeap(browser, server, 'proxy', options.requests, options);
  return { proxy, bare };
}

async function measureWorkerHeap(
  browser: Browser,
  server: BenchServer,
  arm: 'bare' | 'proxy',
  requests: number,
  options: MemoryOptions,
): Promise<HeapRun> {
  const context = await browser.newContext();
  try {
    const page = await openArmPage(context, server.origin, arm);
    let authorization: string | null = null;
    if (arm === 'bare') authorization = `Bearer ${await server.login()}`;
    else if ((await page.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in the proxy arm');
    const burst = (count: number) =>
      page.evaluate((o) => window.bench.runLatency(o), {
        path: '/api/items',
        count,
        concurrency: options.concurrency,
        authorization,
        recordLatencies: false,
      });
    await burst(options.warmup);

    const worker = await WorkerCdpSession.attach(browser, `/bench/${arm}/sw.js`);
    try {
      const identity = async (): Promise<number> =>
        (
          await worker.send<{ result: { value: number } }>('Runtime.evaluate', {
            expression: 'performance.timeOrigin',
            returnByValue: true,
          })
        ).result.value;
      const heap = async (): Promise<HeapUsage> => {
        // Twice: the first collection can leave objects whose finalizers free more.
        await worker.send('HeapProfiler.collectGarbage');
        await worker.send('HeapProfiler.collectGarbage');
        return worker.send<HeapUsage>('Runtime.getHeapUsage');
      };
      const startedIn = await identity();
      const before = await heap();
      let failures = 0;
      let elapsedMs = 0;
      // In slices, so no single page call runs for minutes.
      const slice = 5_000;
      for (let done = 0; done < requests; done += slice) {
        const result = await burst(Math.min(slice, requests - done));
        failures += result.failures;
        elapsedMs += result.elapsedMs;
      }
      const after = await heap();
      if ((await identity()) !== startedIn) {
        throw new Error(`Failed to measure the ${arm} worker's heap: the worker restarted during the run`);
      }
      return {
        requests,
        beforeBytes: before.usedSize,
        afterBytes: after.usedSize,
        growthBytes: after.usedSize - before.usedSize,
        embedderGrowthBytes: (after.embedderHeapUsedSize ?? 0) - (before.embedderHeapUsedSize ?? 0),
        failures,
        elapsedMs,
      };
    } finally {
      await worker.dispose();
    }
  } finally {
    await context.close();
  }
}
