import type { Browser, Page } from '@playwright/test';
import { spread, type Spread } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { LatencyRunOptions } from './pages/bench-page-api.js';
import type { BenchServer } from './start-bench-server.js';
import { summariseCpuProfile, type CpuProfile, type CpuProfileSummary, type ScriptSourceMap } from './summarise-cpu-profile.js';
import { WorkerCdpSession } from './worker-cdp-session.js';

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

/** The worker arms profiled: the floor, the proxy, the proxy with DPoP. */
export const CPU_ARMS = ['bare', 'proxy', 'dpop'] as const;
export type CpuArm = (typeof CPU_ARMS)[number];

export interface CpuArmFigure {
  /** Busy (non-idle) worker time per request, µs: median, min and max over the windows. */
  busyUs: Spread;
  /** Of that, self time in the worker bundle's own functions, µs per request. */
  scriptUs: Spread;
}

export interface CpuMode {
  concurrency: number;
  arms: Record<CpuArm, CpuArmFigure>;
  /** Median proxy / median bare busy time per request. */
  ratioToBare: number;
  /** The same ratio window by window (the arms of one window run back to back). */
  windowRatioToBare: Spread;
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
 * The worker's CPU time per request: CDP `Profiler` on each worker target (100 µs sampling), in
 * windows of `requests` requests, the arms one after another in a rotating order per window, so
 * that a busy stretch of the machine lands on every arm alike. Each window is its own profile; the
 * figure is the median of the windows, with their spread. The sampled time is wall time of the
 * worker thread while it is not idle, so a descheduled busy thread counts: the median of several
 * windows is what keeps that out of the figure.
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

    const collected = Object.fromEntries(CPU_ARMS.map((arm) => [arm, [] as CpuProfile[]])) as Record<CpuArm, CpuProfile[]>;
    const measureMode = async (concurrency: number): Promise<CpuMode> => {
      for (const arm of CPU_ARMS) await run(arm, options.warmup, concurrency);
      const windows = Object.fromEntries(CPU_ARMS.map((arm) => [arm, [] as CpuProfileSummary[]])) as Record<CpuArm, CpuProfileSummary[]>;
      for (let window = 0; window < options.windows; window++) {
        for (let step = 0; step < CPU_ARMS.length; step++) {
          const arm = CPU_ARMS[(window + step) % CPU_ARMS.length]!;
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
            busyUs: spread(windows[arm].map((summary) => perRequest(summary.busyMs))),
            scriptUs: spread(windows[arm].map((summary) => perRequest(summary.scriptMs))),
          },
        ]),
      ) as Record<CpuArm, CpuArmFigure>;
      return {
        concurrency,
        arms,
        ratioToBare: arms.proxy.busyUs.median / arms.bare.busyUs.median,
        windowRatioToBare: spread(windows.proxy.map((summary, index) => summary.busyMs / windows.bare[index]!.busyMs)),
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
