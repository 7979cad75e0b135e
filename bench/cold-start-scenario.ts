import type { Browser, CDPSession, Page } from '@playwright/test';
import { giveWorkerToken } from './give-worker-token.js';
import { median } from './latency-stats.js';
import { openArmPage } from './open-arm-page.js';
import type { BenchServer } from './start-bench-server.js';
import { WorkerCdpSession } from './worker-cdp-session.js';

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
  /**
   * Where the cold request's time went, medians, from the page's `fetch()` and the worker's own
   * timeline (its `performance.timeOrigin` and the Resource Timing entry of its network fetch):
   * until the browser created the worker's global scope; from there until the worker's `fetch()`
   * of the request (script loading and evaluation, the fetch event's dispatch, and for the proxy
   * its set-up and the session read); from there until the page had the body.
   */
  phases: { startMs: number; untilFetchMs: number; networkMs: number };
}

export interface ColdStartResult {
  repetitions: number;
  bare: ColdStartArm;
  /**
   * The worker that attaches a token it keeps in IndexedDB (`IDB_WORKER_SCRIPT`): what any worker
   * that must find its token again after a stop pays at a cold start. Information, not a target.
   */
  idb: ColdStartArm;
  proxy: ColdStartArm;
  /** Median of the per-repetition (proxy penalty − bare penalty): the arms run back to back. */
  pairedExtraMs: number;
  /** Median of the per-repetition (proxy penalty − idb penalty): the proxy's own share. */
  pairedOverIdbMs: number;
  /** Median of the per-repetition (idb penalty − bare penalty): what keeping the token in IndexedDB costs. */
  idbPairedOverBareMs: number;
}

type WorkerArm = 'bare' | 'idb' | 'proxy';

/**
 * The first protected request after the worker was stopped (DevTools' `ServiceWorker.stopAllWorkers`,
 * as the browser does to idle workers) against one to a running worker. The browser must start the
 * worker and run its script; the idb worker and the proxy also reopen IndexedDB for the token. The
 * bare worker's penalty is the floor any worker pays; the idb worker's, the floor of any worker
 * that attaches a token. Arms take turns within each repetition, in a rotating order.
 */
export async function runColdStart(browser: Browser, server: BenchServer, options: ColdStartOptions): Promise<ColdStartResult> {
  const arms: WorkerArm[] = ['bare', 'idb', 'proxy'];
  const authorization = `Bearer ${await server.login()}`;
  const setups = await Promise.all(
    arms.map(async (arm) => {
      const context = await browser.newContext();
      const page = await openArmPage(context, server.origin, arm);
      if (arm === 'proxy' && (await page.evaluate(() => window.bench.login())) !== 200) throw new Error('Failed to log in the proxy arm');
      if (arm === 'idb') await giveWorkerToken(page, authorization);
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      return { arm, context, page, cdp, warm: [] as number[], cold: [] as number[], phases: [] as ColdStartArm['phases'][] };
    }),
  );
  try {
    for (let repetition = 0; repetition < options.repetitions; repetition++) {
      for (let step = 0; step < setups.length; step++) {
        const setup = setups[(repetition + step) % setups.length]!;
        // Only the bare worker leaves the header to the page; the other two attach their own.
        const pageAuthorization = setup.arm === 'bare' ? authorization : null;
        const request = (count: number) => oneByOne(setup.page, count, pageAuthorization);
        await request(5);
        setup.warm.push(...(await request(1)));
        await stopWorker(setup.cdp, `${server.origin}/bench/${setup.arm}/sw.js`);
        const cold = await timedRequest(setup.page, pageAuthorization);
        setup.cold.push(cold.endAt - cold.startAt);
        setup.phases.push(await workerPhases(browser, `/bench/${setup.arm}/sw.js`, cold));
      }
    }
    const summary = (setup: (typeof setups)[number]): ColdStartArm => ({
      warmMs: median(setup.warm),
      coldMs: median(setup.cold),
      penaltyMs: median(setup.cold.map((cold, index) => cold - setup.warm[index]!)),
      phases: {
        startMs: median(setup.phases.map((phase) => phase.startMs)),
        untilFetchMs: median(setup.phases.map((phase) => phase.untilFetchMs)),
        networkMs: median(setup.phases.map((phase) => phase.networkMs)),
      },
    });
    const [bare, idb, proxy] = setups as [(typeof setups)[number], (typeof setups)[number], (typeof setups)[number]];
    const penalty = (setup: typeof bare, index: number): number => setup.cold[index]! - setup.warm[index]!;
    const paired = (a: typeof bare, b: typeof bare): number => median(a.cold.map((_, index) => penalty(a, index) - penalty(b, index)));
    return {
      repetitions: options.repetitions,
      bare: summary(bare),
      idb: summary(idb),
      proxy: summary(proxy),
      pairedExtraMs: paired(proxy, bare),
      pairedOverIdbMs: paired(proxy, idb),
      idbPairedOverBareMs: paired(idb, bare),
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

/** One GET from the page, with its start and end on the epoch clock (sub-millisecond). */
async function timedRequest(page: Page, authorization: string | null): Promise<{ startAt: number; endAt: number }> {
  const timed = await page.evaluate(async (header) => {
    // No named helpers in here: the runner's TypeScript loader would wrap them in a function the page lacks.
    const startAt = performance.timeOrigin + performance.now();
    const response = await fetch('/api/items/0', header === null ? {} : { headers: { Authorization: header } });
    await response.arrayBuffer();
    return { startAt, endAt: performance.timeOrigin + performance.now(), status: response.status };
  }, authorization);
  if (timed.status !== 200) throw new Error(`Failed to measure a cold start: the first request answered ${timed.status}`);
  return timed;
}

/**
 * The cold request's phases, read from the worker that it started: its global scope's
 * `timeOrigin`, and when it called `fetch()` for the request (its first Resource Timing entry for
 * `/api/`; a fresh worker has no other). Read after the request, so nothing here is on its path.
 */
async function workerPhases(
  browser: Browser,
  scriptPath: string,
  cold: { startAt: number; endAt: number },
): Promise<ColdStartArm['phases']> {
  const worker = await WorkerCdpSession.attach(browser, scriptPath);
  try {
    const { result } = await worker.send<{ result: { value: string } }>('Runtime.evaluate', {
      expression: `JSON.stringify({
        origin: performance.timeOrigin,
        fetchAt: performance.getEntriesByType('resource').find((entry) => entry.name.includes('/api/'))?.startTime ?? null,
      })`,
      returnByValue: true,
    });
    const { origin, fetchAt } = JSON.parse(result.value) as { origin: number; fetchAt: number | null };
    if (fetchAt === null) throw new Error('Failed to read the cold start phases: the worker has no timing entry of its fetch');
    return { startMs: origin - cold.startAt, untilFetchMs: fetchAt, networkMs: cold.endAt - (origin + fetchAt) };
  } finally {
    await worker.dispose();
  }
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
