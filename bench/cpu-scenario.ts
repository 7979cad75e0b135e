import type { Browser, Page } from '@playwright/test';
import { giveWorkerToken } from './give-worker-token.js';
import { spread, type Spread } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { LatencyRunOptions } from './pages/bench-page-api.js';
import type { BenchServer } from './start-bench-server.js';
import { summariseCpuProfile, type CpuProfile, type CpuProfileSummary, type ScriptSourceMap } from './summarise-cpu-profile.js';
import { WorkerCdpSession } from './worker-cdp-session.js';
import { WorkerThreadClock } from './worker-thread-clock.js';

export interface CpuOptions {
  /** Requests per profile window, arm and mode. */
  requests: number;
  /** Profile windows per arm and mode; the figure is their median. */
  windows: number;
  /** In-flight requests of the concurrent mode. */
  concurrency: number;
  /** Unmeasured requests per arm and mode first (JIT, connection pool). */
  warmup: number;
}

/** The worker arms profiled: the floor, the floor that attaches a header, the proxy, the proxy with DPoP. */
export const CPU_ARMS = ['bare', 'header', 'proxy', 'dpop'] as const;
export type CpuArm = (typeof CPU_ARMS)[number];

export interface CpuArmFigure {
  /** On-CPU time of the worker's thread per request, µs: median, min and max over the windows. */
  threadUs: Spread;
  /** Busy (non-idle) time per request the profiler sampled on the worker, µs, over the windows. */
  busyUs: Spread;
  /** Of that, self time in the worker bundle's own functions, µs per request. */
  scriptUs: Spread;
}

export interface CpuMode {
  concurrency: number;
  arms: Record<CpuArm, CpuArmFigure>;
  /** Median proxy / median bare thread CPU time per request. */
  ratioToBare: number;
  /** The same ratio window by window (the arms of one window run back to back). */
  windowRatioToBare: Spread;
  /** Median proxy / median bare sampled busy time: the figure before thread time was read. */
  sampledRatioToBare: number;
  /**
   * Median proxy / median thread CPU time of the worker that only attaches the header: the share
   * that is the proxy's own. The rest of `ratioToBare` is what any worker pays to add a header.
   */
  ratioToHeader: number;
}

export interface CpuResult {
  requestsPerWindow: number;
  windows: number;
  sequential: CpuMode;
  concurrent: CpuMode;
  /** Self time per function, summed over every window of both modes. */
  profiles: Record<CpuArm, CpuProfileSummary>;
}

/**
 * The worker's CPU time per request, in windows of `requests` requests, the arms one after another
 * in a rotating order per window, so that a busy stretch of the machine lands on every arm alike.
 * The figure is the on-CPU time of each worker's own thread (Linux `schedstat`), which a loaded
 * machine does not inflate: time a thread waits for a core is not in it. Each arm's thread window
 * is followed by a profile window of as many requests (CDP `Profiler`, 100 µs sampling), kept apart
 * so the sampler's own cost is not in the figure; the profiles say where the time goes. Their busy
 * time is wall time of the thread while it is not idle, so it does count a descheduled thread.
 */
export async function runCpu(browser: Browser, server: BenchServer, options: CpuOptions, sourceMap: ScriptSourceMap): Promise<CpuResult> {
  const context = await browser.newContext();
  const workers = new Map<CpuArm, WorkerCdpSession>();
  try {
    const pages = {} as Record<CpuArm, Page>;
    for (const arm of CPU_ARMS) pages[arm] = await openArmPage(context, server.origin, arm);
    for (const arm of ['proxy', 'dpop'] as const) {
      if ((await pages[arm].evaluate(() => window.bench.login())) !== 200) throw new Error(`Failed to log in the ${arm} arm`);
    }
    const authorization = `Bearer ${await server.login()}`;
    await giveWorkerToken(pages.header, authorization);
    const run = async (arm: CpuArm, count: number, concurrency: number): Promise<void> => {
      const runOptions: LatencyRunOptions = {
        path: '/api/items',
        count,
        concurrency,
        authorization: arm === 'bare' ? authorization : null,
        recordLatencies: false,
      };
      const result = await pages[arm].evaluate((o) => window.bench.runLatency(o), runOptions);
      if (result.failures > 0) throw new Error(`Failed to profile the ${arm} worker: ${result.failures} requests failed`);
    };
    for (const arm of CPU_ARMS) {
      const worker = await WorkerCdpSession.attach(browser, `/bench/${arm}/sw.js`);
      workers.set(arm, worker);
      await worker.send('Profiler.enable');
      await worker.send('Profiler.setSamplingInterval', { interval: 100 });
    }
    const clocks = {} as Record<CpuArm, WorkerThreadClock>;
    for (const arm of CPU_ARMS) clocks[arm] = await WorkerThreadClock.find(browser, arm, () => run(arm, options.warmup, 1));

    const collected = Object.fromEntries(CPU_ARMS.map((arm) => [arm, [] as CpuProfile[]])) as Record<CpuArm, CpuProfile[]>;
    const measureMode = async (concurrency: number): Promise<CpuMode> => {
      for (const arm of CPU_ARMS) await run(arm, options.warmup, concurrency);
      const windows = Object.fromEntries(CPU_ARMS.map((arm) => [arm, [] as CpuProfileSummary[]])) as Record<CpuArm, CpuProfileSummary[]>;
      const threadMs = Object.fromEntries(CPU_ARMS.map((arm) => [arm, [] as number[]])) as Record<CpuArm, number[]>;
      for (let window = 0; window < options.windows; window++) {
        for (let step = 0; step < CPU_ARMS.length; step++) {
          const arm = CPU_ARMS[(window + step) % CPU_ARMS.length]!;
          const before = await clocks[arm].read();
          await run(arm, options.requests, concurrency);
          threadMs[arm].push(((await clocks[arm].read()) - before) / 1e6);

          const worker = workers.get(arm)!;
          await worker.send('Profiler.start');
          await run(arm, options.requests, concurrency);
          const { profile } = await worker.send<{ profile: CpuProfile }>('Profiler.stop');
          collected[arm].push(profile);
          windows[arm].push(await summariseCpuProfile([profile], sourceMap, 0));
        }
      }
      const perRequest = (ms: number): number => (ms * 1000) / options.requests;
      const arms = Object.fromEntries(
        CPU_ARMS.map((arm) => [
          arm,
          {
            threadUs: spread(threadMs[arm].map(perRequest)),
            busyUs: spread(windows[arm].map((summary) => perRequest(summary.busyMs))),
            scriptUs: spread(windows[arm].map((summary) => perRequest(summary.scriptMs))),
          },
        ]),
      ) as Record<CpuArm, CpuArmFigure>;
      return {
        concurrency,
        arms,
        ratioToBare: arms.proxy.threadUs.median / arms.bare.threadUs.median,
        ratioToHeader: arms.proxy.threadUs.median / arms.header.threadUs.median,
        windowRatioToBare: spread(threadMs.proxy.map((ms, index) => ms / threadMs.bare[index]!)),
        sampledRatioToBare: arms.proxy.busyUs.median / arms.bare.busyUs.median,
      };
    };

    const sequential = await measureMode(1);
    const concurrent = await measureMode(options.concurrency);
    const profiles = {} as Record<CpuArm, CpuProfileSummary>;
    for (const arm of CPU_ARMS) profiles[arm] = await summariseCpuProfile(collected[arm], sourceMap);
    return { requestsPerWindow: options.requests, windows: options.windows, sequential, concurrent, profiles };
  } finally {
    for (const worker of workers.values()) await worker.dispose();
    await context.close();
  }
}
