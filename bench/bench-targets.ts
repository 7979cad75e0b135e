import type { ColdStartResult } from './cold-start-scenario.js';
import type { ExpiryBurstResult } from './expiry-burst-scenario.js';
import type { ExpirySteadyResult } from './expiry-steady-scenario.js';
import type { CpuMode, CpuResult } from './cpu-scenario.js';
import type { MemoryResult } from './memory-scenario.js';
import type { OverheadResult } from './overhead-scenario.js';
import type { StormResult } from './storm-scenario.js';

/** Median latency through the proxy, at most this times the bare pass-through worker's. */
export const MAX_RATIO_TO_BARE = 1.05;
/** Median latency through the proxy with DPoP, at most this times the proxy's without. */
export const MAX_DPOP_TO_PROXY = 1.15;
/** The proxy's cold-start penalty (first request after a stop − a warm one), at most the bare worker's plus this. */
export const MAX_COLD_START_EXTRA_MS = 3;
/** A burst right after the access token expired settles within this times the same burst with a valid one. */
export const MAX_EXPIRY_BURST_RATIO = 1.3;
/** Steady traffic: p99 latency of the requests near an expiry, at most this times the others'. */
export const MAX_NEAR_EXPIRY_P99_RATIO = 1.1;
/** Worker CPU time per request (median of the profile windows), at most this times the bare worker's. */
export const MAX_CPU_TO_BARE = 1.1;
/** Heap growth after the memory run, below this. */
export const MAX_HEAP_GROWTH_BYTES = 1_000_000;
/** Blink's heap of the worker over the memory run: the proxy's growth at most this times the bare worker's. */
export const MAX_BLINK_GROWTH_TO_BARE = 1.1;

/** One target and whether this run met it. */
export interface TargetCheck {
  scenario: string;
  figure: string;
  target: string;
  met: boolean;
}

const ratio = (value: number): string => `${value.toFixed(2)}×`;
const signedMs = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} ms`;

/** The issue's targets, checked against one run's figures. */
export function checkTargets(results: {
  overhead: OverheadResult;
  cpu: CpuResult;
  storm: StormResult;
  coldStart: ColdStartResult;
  expiryBurst: ExpiryBurstResult;
  expirySteady: ExpirySteadyResult;
  memory: MemoryResult;
}): TargetCheck[] {
  const { overhead, cpu, storm, coldStart, expiryBurst: burst, expirySteady: steady } = results;
  const memory = results.memory.proxy;
  const bareMemory = results.memory.bare;
  const cpuCheck = (label: string, mode: CpuMode): TargetCheck => ({
    scenario: `Worker CPU per request, ${label}`,
    figure:
      `proxy/bare ${ratio(mode.ratioToBare)} thread CPU (bare ${us(mode.arms.bare.threadUs.median)}, proxy ` +
      `${us(mode.arms.proxy.threadUs.median)}; per window ${ratio(mode.windowRatioToBare.min)}–${ratio(mode.windowRatioToBare.max)}, ` +
      `${cpu.windows} windows of ${cpu.requestsPerWindow}); proxy/header floor ${ratio(mode.ratioToHeader)}; ` +
      `sampled ${ratio(mode.sampledRatioToBare)}, ` +
      `${us(mode.arms.proxy.scriptUs.median)} in its own functions`,
    target: `≤ ${ratio(MAX_CPU_TO_BARE)} bare SW`,
    met: mode.ratioToBare <= MAX_CPU_TO_BARE,
  });
  const latency = (label: string, mode: OverheadResult['sequential']): TargetCheck => ({
    scenario: `Overhead, ${label}`,
    figure:
      `median proxy/bare ${ratio(mode.ratioToBare)} (per round min ${ratio(mode.roundRatioToBare.min)}, ` +
      `median ${ratio(mode.roundRatioToBare.median)}, max ${ratio(mode.roundRatioToBare.max)}); ` +
      `proxy/none ${ratio(mode.ratioToNone)} (info); failed ${mode.arms.proxy.failures}`,
    target: `≤ ${ratio(MAX_RATIO_TO_BARE)} bare SW, 0 failed`,
    met: mode.ratioToBare <= MAX_RATIO_TO_BARE && mode.arms.proxy.failures === 0,
  });
  const proxyCells = storm.cells.filter((cell) => cell.client === 'proxy');
  const floorFailures = proxyCells.map(
    (cell) =>
      storm.cells.find((other) => other.client === 'floor' && other.tabs === cell.tabs && other.requestsPerTab === cell.requestsPerTab)
        ?.failed ?? '–',
  );
  const dpop = (label: string, mode: OverheadResult['sequential']): TargetCheck => ({
    scenario: `DPoP overhead, ${label}`,
    figure:
      `median DPoP/proxy ${ratio(mode.dpopToProxy)} (per round min ${ratio(mode.roundDpopToProxy.min)}, ` +
      `median ${ratio(mode.roundDpopToProxy.median)}, max ${ratio(mode.roundDpopToProxy.max)}); failed ${mode.arms.dpop.failures}`,
    target: `≤ ${ratio(MAX_DPOP_TO_PROXY)} proxy without DPoP, 0 failed`,
    met: mode.dpopToProxy <= MAX_DPOP_TO_PROXY && mode.arms.dpop.failures === 0,
  });
  return [
    latency('sequential', overhead.sequential),
    latency(`concurrency ${overhead.concurrent.concurrency}`, overhead.concurrent),
    cpuCheck('sequential', cpu.sequential),
    cpuCheck(`concurrency ${cpu.concurrent.concurrency}`, cpu.concurrent),
    dpop('sequential', overhead.sequential),
    dpop(`concurrency ${overhead.concurrent.concurrency}`, overhead.concurrent),
    {
      scenario: 'Expiry storm, sw-auth-proxy',
      figure:
        `refresh calls ${proxyCells.map((cell) => cell.refreshCalls).join('/')}, ` +
        `failed ${proxyCells.map((cell) => cell.failed).join('/')} ` +
        `(cells ${proxyCells.map((cell) => `${cell.tabs}×${cell.requestsPerTab}`).join(', ')}; ` +
        `the floor, no expiry, failed ${floorFailures.join('/')})`,
      target: 'exactly 1 refresh, 0 failed, every cell',
      met: proxyCells.length > 0 && proxyCells.every((cell) => cell.refreshCalls === 1 && cell.failed === 0),
    },
    {
      scenario: 'Cold start, sw-auth-proxy',
      figure:
        `+${coldStart.proxy.penaltyMs.toFixed(1)} ms (warm ${coldStart.proxy.warmMs.toFixed(1)}, cold ` +
        `${coldStart.proxy.coldMs.toFixed(1)} ms) vs bare SW +${coldStart.bare.penaltyMs.toFixed(1)} ms, median of ` +
        `${coldStart.repetitions} stops; paired per stop: proxy − bare ${signedMs(coldStart.pairedExtraMs)} (info); ` +
        `idb floor +${coldStart.idb.penaltyMs.toFixed(1)} ms, proxy − idb floor ${signedMs(coldStart.pairedOverIdbMs)} (info)`,
      target: `≤ bare SW + ${MAX_COLD_START_EXTRA_MS} ms`,
      met: coldStart.proxy.penaltyMs <= coldStart.bare.penaltyMs + MAX_COLD_START_EXTRA_MS,
    },
    {
      scenario: `Expiry latency, ${burst.tabs} tabs × ${burst.requestsPerTab} burst`,
      figure:
        `settled after an expiry ${burst.expired.settleMs.toFixed(0)} ms vs valid token ${burst.valid.settleMs.toFixed(0)} ms: ` +
        `${ratio(burst.ratio)} (median of ${burst.rounds} each); refresh calls per burst ≤ ${burst.expired.maxRefreshCalls}; ` +
        `failed ${burst.expired.failed + burst.valid.failed}`,
      target: `≤ ${ratio(MAX_EXPIRY_BURST_RATIO)}, 0 failed`,
      met: burst.ratio <= MAX_EXPIRY_BURST_RATIO && burst.expired.failed + burst.valid.failed === 0,
    },
    {
      scenario: 'Expiry latency, steady traffic',
      figure:
        `p99 within ±${steady.windowMs / 1000} s of an expiry ${steady.nearExpiry.p99Ms.toFixed(1)} ms vs others ` +
        `${steady.others.p99Ms.toFixed(1)} ms: ${ratio(steady.p99Ratio)} (${steady.expiries} expiries, ` +
        `${steady.nearExpiry.requests} + ${steady.others.requests} requests); refresh calls ${steady.refreshCalls}; failed ${steady.failed}`,
      target: `≤ ${ratio(MAX_NEAR_EXPIRY_P99_RATIO)}, 0 failed`,
      met: steady.p99Ratio <= MAX_NEAR_EXPIRY_P99_RATIO && steady.failed === 0,
    },
    {
      scenario: 'Memory, sw-auth-proxy',
      figure:
        `${signedKb(memory.growthBytes)} after ${memory.requests.toLocaleString('en-US')} requests ` +
        `(${kb(memory.beforeBytes)} → ${kb(memory.afterBytes)}, V8 heap after GC); failed ${memory.failures}`,
      target: '< 1 MB growth',
      met: memory.growthBytes < MAX_HEAP_GROWTH_BYTES && memory.failures === 0,
    },
    {
      scenario: "Memory, Blink's heap of the worker",
      figure:
        `sw-auth-proxy ${signedKb(memory.embedderGrowthBytes)}, bare SW ${signedKb(bareMemory.embedderGrowthBytes)} ` +
        `(${ratio(blinkRatio(results.memory))}) after ${memory.requests.toLocaleString('en-US')} requests each; bare V8 ` +
        `${signedKb(bareMemory.growthBytes)}, failed ${bareMemory.failures}`,
      target: `≤ ${ratio(MAX_BLINK_GROWTH_TO_BARE)} bare SW's growth`,
      met: blinkRatio(results.memory) <= MAX_BLINK_GROWTH_TO_BARE && bareMemory.failures === 0,
    },
  ];
}

/** The proxy's Blink heap growth per request over the bare worker's (both run the same count in full runs). */
export function blinkRatio(memory: MemoryResult): number {
  const perRequest = (run: MemoryResult['bare']): number => run.embedderGrowthBytes / run.requests;
  return perRequest(memory.proxy) / Math.max(1, perRequest(memory.bare));
}

const us = (value: number): string => `${value.toFixed(0)} µs`;

/** Memory, in KiB. */
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
/** Bundle sizes in kB of 1000 bytes, as `npm run size` and Vite's build report print them. */
export const sizeKb = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;
export const signedKb = (bytes: number): string => `${bytes >= 0 ? '+' : '−'}${kb(Math.abs(bytes))}`;
