/**
 * `npm run bench`: every scenario of bench/README.md in real Chromium against the demo server on
 * loopback (the fleet simulation on a virtual clock in this process), then a Markdown table on
 * stdout, everything in bench/results.json and the fleet chart in bench/fleet-chart.svg. Progress
 * goes to stderr. Expects `npm run build` to have run (the npm script does it first).
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from '@playwright/test';
import { build } from 'vite';
import { FULL_BENCH, QUICK_BENCH } from './bench-options.js';
import type { BenchResults } from './bench-results.js';
import { checkTargets } from './bench-targets.js';
import { runColdStart } from './cold-start-scenario.js';
import { runExpiryBurst } from './expiry-burst-scenario.js';
import { runExpirySteady } from './expiry-steady-scenario.js';
import { runCpu } from './cpu-scenario.js';
import { runFleetScenarios } from './fleet/fleet-scenario.js';
import { checkFleetTargets } from './fleet/fleet-targets.js';
import { writeFleetChart } from './fleet/write-fleet-chart.js';
import { formatResultsTable } from './format-results-table.js';
import { launchBenchBrowser } from './launch-bench-browser.js';
import { measureBundleSize } from './measure-bundle-size.js';
import { runMemory } from './memory-scenario.js';
import { runOverhead } from './overhead-scenario.js';
import { startBenchServer, type BenchServer } from './start-bench-server.js';
import { runStorms } from './storm-scenario.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const resultsPath = fileURLToPath(new URL('results.json', import.meta.url));
/** Far above a normal run (about 15 min, up to 18 on a loaded machine): past it something hangs, and the bench stops itself. */
const WATCHDOG_MS = 30 * 60 * 1000;

const options = process.env['BENCH_QUICK'] === '1' ? QUICK_BENCH : FULL_BENCH;
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

/**
 * A private copy of the built files, so a `npm run build` elsewhere (which empties dist/) cannot
 * pull the worker out from under a running bench, and every scenario measures the same build.
 * It lives in node_modules/.cache so that the client's bare imports (workbox-window) still resolve.
 */
async function snapshotBuild(): Promise<string> {
  const cache = join(repo, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'sw-auth-proxy-bench-'));
  const dist = join(repo, 'dist');
  const files = (await readdir(dist)).filter((name) => /\.js(\.map)?$/.test(name));
  if (!files.includes('sw-auth-proxy.js') || !files.includes('client.js')) {
    throw new Error('Failed to start the bench: dist/ is not built (run npm run build)');
  }
  await Promise.all(files.map((name) => copyFile(join(dist, name), join(dir, name))));
  await build({ configFile: join(repo, 'bench/vite.config.ts'), build: { outDir: join(dir, 'bench') } });
  return dir;
}

let snapshot: string | undefined;
let server: BenchServer | undefined;
let shortLivedServer: BenchServer | undefined;
let browser: Browser | undefined;
/** Set once a signal or the watchdog stops the run: the errors that follow are expected. */
let stopping = false;
const cleanUp = async (): Promise<void> => {
  await browser?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  await shortLivedServer?.stop().catch(() => undefined);
  if (snapshot !== undefined) await rm(snapshot, { recursive: true, force: true });
};
const watchdog = setTimeout(() => {
  log(`still running after ${WATCHDOG_MS / 60_000} min: stopping`);
  stopping = true;
  void cleanUp().finally(() => process.exit(2));
}, WATCHDOG_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  const startedAt = new Date();
  const clock = performance.now();
  const loadBefore = loadavg()[0]!;
  snapshot = await snapshotBuild();
  const sourceMap = { urlSuffix: '/sw-auth-proxy.js', mapPath: join(snapshot, 'sw-auth-proxy.js.map') };
  server = await startBenchServer(snapshot);
  browser = await launchBenchBrowser();
  log(`server ${server.origin}, Chromium ${browser.version()}`);

  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    log(`${name}…`);
    const result = await run();
    log(`${name} done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    return result;
  };
  const activeBrowser = browser;
  const activeServer = server;
  const bundle = await step('bundle size', () => measureBundleSize(snapshot!));
  const overhead = await step('overhead', () => runOverhead(activeBrowser, activeServer, options.overhead));
  const cpu = await step('worker CPU', () => runCpu(activeBrowser, activeServer, options.cpu, sourceMap));
  const storm = await step('expiry storm', () => runStorms(activeBrowser, activeServer, options.storm));
  const coldStart = await step('cold start', () => runColdStart(activeBrowser, activeServer, options.coldStart));
  const expiryBurst = await step('expiry burst', () => runExpiryBurst(activeBrowser, activeServer, options.expiryBurst));
  const expirySteady = await step('expiry, steady traffic', async () => {
    // Its own server: tokens that expire within seconds, and a proxy arm that refreshes just ahead.
    const { accessTokenTtlSeconds, refreshAheadMinMs } = options.expirySteady;
    shortLivedServer = await startBenchServer(snapshot!, { accessTokenTtl: accessTokenTtlSeconds, refreshAheadMinMs });
    try {
      return await runExpirySteady(activeBrowser, shortLivedServer, options.expirySteady);
    } finally {
      await shortLivedServer.stop();
      shortLivedServer = undefined;
    }
  });
  const memory = await step('memory', () => runMemory(activeBrowser, activeServer, options.memory));
  // No browser: the worker's retry, refresh-window and pause code on a virtual clock.
  const fleet = await step('fleet simulation', async () => runFleetScenarios(options.fleet));
  log(`wrote ${await writeFleetChart(fleet)}`);

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationSeconds: (performance.now() - clock) / 1000,
    environment: {
      node: process.versions.node,
      chromium: browser.version(),
      cpus: cpus().length,
      loadBefore,
      loadAfter: loadavg()[0]!,
    },
    options,
    overhead,
    cpu,
    storm,
    coldStart,
    expiryBurst,
    expirySteady,
    memory,
    bundle,
    fleet,
    targets: [...checkTargets({ overhead, cpu, storm, coldStart, expiryBurst, expirySteady, memory }), ...checkFleetTargets(fleet)],
  };
  await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(formatResultsTable(results));
  log(`wrote ${resultsPath}`);
} catch (error) {
  if (!stopping) log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
