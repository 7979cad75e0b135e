import type { BenchResults } from './bench-results.js';
import { MAX_BLINK_GROWTH_TO_BARE, MAX_CPU_TO_BARE, blinkRatio, kb, signedKb, sizeKb } from './bench-targets.js';
import { CPU_ARMS, type CpuArm, type CpuMode } from './cpu-scenario.js';
import { formatFleetTable } from './fleet/format-fleet-table.js';
import type { HeapRun } from './memory-scenario.js';
import type { BenchArm } from './create-bench-app.js';
import type { StormClient } from './pages/bench-page-api.js';

const perThousand = (run: HeapRun): number => (run.embedderGrowthBytes * 1000) / run.requests;
const ms = (value: number): string => `${value.toFixed(2)} ms`;
const signedMs = (value: number): string => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const header = (cells: readonly string[]): string[] => [row(cells), row(cells.map(() => '---'))];

const CLIENT_LABELS: Record<StormClient, string> = {
  proxy: 'sw-auth-proxy',
  axios: 'axios-auth-refresh (defaults)',
  'axios-no-dedupe': 'axios-auth-refresh (deduplicateRefresh: false)',
  naive: 'naive fetch wrapper',
  floor: 'floor: bare SW, valid token, no expiry',
};

/** `200×1346, 401×171, error×482`: what the failed requests ended in. */
const describeStatuses = (statuses: Record<string, number>): string =>
  Object.entries(statuses)
    .sort(([a], [b]) => Number(b === '200') - Number(a === '200') || Number(a) - Number(b))
    .map(([status, count]) => `${status === '0' ? 'error' : status === '-1' ? 'timeout' : status}×${count}`)
    .join(', ');

const ARM_LABELS: Record<BenchArm, string> = {
  none: 'no SW',
  bare: 'bare pass-through SW',
  header: 'bare SW + Authorization (floor)',
  idb: 'bare SW + Authorization from IndexedDB (floor)',
  proxy: 'sw-auth-proxy',
  dpop: 'sw-auth-proxy + DPoP',
};

/**
 * The run as Markdown: the targets first (met or missed), then the figures behind them, and when
 * the latency target is missed, where the proxy worker spends its time.
 */
export function formatResultsTable(results: BenchResults): string {
  const { environment: env, overhead, storm, coldStart, memory, bundle, expiryBurst: burst, expirySteady: steady } = results;
  const lines: string[] = [
    `## sw-auth-proxy bench, ${results.startedAt}`,
    '',
    `Chromium ${env.chromium}, Node ${env.node}, ${env.cpus} CPUs, load ${env.loadBefore.toFixed(2)} → ` +
      `${env.loadAfter.toFixed(2)}, ${Math.round(results.durationSeconds)} s. Loopback demo server; ratios within this run.`,
    '',
    ...header(['Scenario', 'Figure', 'Target', 'Result']),
    ...results.targets.map((check) => row([check.scenario, check.figure, check.target, check.met ? 'met' : '**MISSED**'])),
    row([
      'Bundle size (info)',
      `sw-auth-proxy.js ${sizeKb(bundle.worker.minGzipBytes)}; client.js ${sizeKb(bundle.client.minGzipBytes)} ` +
        `(${sizeKb(bundle.clientWithWorkbox.minGzipBytes)} with workbox-window); min+gzip`,
      '—',
      '—',
    ]),
    '',
    `### Overhead: ${overhead.requestsPerArm.toLocaleString('en-US')} GETs per arm and mode, ${overhead.rounds} interleaved rounds`,
    '',
    ...header(['Mode', 'Arm', 'Median', 'p95', 'Failed']),
  ];
  for (const [label, mode] of [
    ['sequential', overhead.sequential],
    [`concurrency ${overhead.concurrent.concurrency}`, overhead.concurrent],
  ] as const) {
    for (const arm of ['none', 'bare', 'proxy', 'dpop'] as const) {
      const figures = mode.arms[arm];
      lines.push(row([label, ARM_LABELS[arm], ms(figures.medianMs), ms(figures.p95Ms), figures.failures]));
    }
    lines.push(
      row([
        label,
        'proxy / bare, proxy / none',
        `${mode.ratioToBare.toFixed(3)}×, ${mode.ratioToNone.toFixed(3)}×`,
        `per round: ${mode.roundRatioToBare.min.toFixed(2)}–${mode.roundRatioToBare.max.toFixed(2)}×, ` +
          `${mode.roundRatioToNone.min.toFixed(2)}–${mode.roundRatioToNone.max.toFixed(2)}×`,
        '',
      ]),
      row([
        label,
        'DPoP / proxy',
        `${mode.dpopToProxy.toFixed(3)}×`,
        `per round: ${mode.roundDpopToProxy.min.toFixed(2)}–${mode.roundDpopToProxy.max.toFixed(2)}×`,
        '',
      ]),
    );
  }
  const { cpu } = results;
  const cpuRow = (label: string, mode: CpuMode, arm: CpuArm) => {
    const figure = mode.arms[arm];
    return row([
      label,
      ARM_LABELS[arm],
      `${figure.threadUs.median.toFixed(0)} µs`,
      `${figure.threadUs.min.toFixed(0)}–${figure.threadUs.max.toFixed(0)} µs`,
      `${figure.busyUs.median.toFixed(0)} µs`,
      `${figure.scriptUs.median.toFixed(0)} µs`,
    ]);
  };
  lines.push(
    '',
    `### Worker CPU per request: median of ${cpu.windows} windows of ${cpu.requestsPerWindow} requests per arm and mode`,
    '',
    ...header(['Mode', 'Worker', 'Thread CPU per request', 'Windows min–max', 'Sampled busy', 'In its own functions']),
  );
  for (const [label, mode] of [
    ['sequential', cpu.sequential],
    [`concurrency ${cpu.concurrent.concurrency}`, cpu.concurrent],
  ] as const) {
    for (const arm of CPU_ARMS) lines.push(cpuRow(label, mode, arm));
    lines.push(
      row([
        label,
        'proxy / bare',
        `${mode.ratioToBare.toFixed(3)}× (target ≤ ${MAX_CPU_TO_BARE.toFixed(2)}×)`,
        `per window ${mode.windowRatioToBare.min.toFixed(2)}–${mode.windowRatioToBare.max.toFixed(2)}×`,
        `${mode.sampledRatioToBare.toFixed(3)}×`,
        '',
      ]),
      row([label, 'proxy / header floor', `${mode.ratioToHeader.toFixed(3)}× (the proxy's own share)`, '', '', '']),
    );
  }
  lines.push(
    '',
    "Thread CPU: the worker thread's on-CPU time (Linux schedstat), the figure; sampled busy: worker-thread time that is not " +
      'idle in a profile window of as many requests right after (100 µs CDP Profiler), which also counts time the thread waited ' +
      'for a core; own functions: self time in the bundle within it, the rest is ' +
      `built-ins (fetch, Request, Headers, event dispatch). The server checks a DPoP proof in ${overhead.dpopServerVerifyUs.toFixed(0)} µs ` +
      "(jose, same machine, sequential mode): part of the DPoP arm's latency.",
    '',
    '### Expiry storm: T tabs × R requests right after `POST /demo/expire`',
    '',
    ...header(['T × R', 'Client', 'Refresh calls', 'Reuse detected', 'Failed', 'Outcomes', 'All settled']),
    ...storm.cells.map((cell) =>
      row([
        `${cell.tabs} × ${cell.requestsPerTab}`,
        CLIENT_LABELS[cell.client],
        cell.refreshCalls,
        cell.reuseDetected,
        `${cell.failed} / ${cell.total}`,
        describeStatuses(cell.statuses),
        `${Math.round(cell.settleMs)} ms`,
      ]),
    ),
    '',
    `### Cold start: median of ${coldStart.repetitions} stops`,
    '',
    ...header([
      'Worker',
      'Warm request',
      'First after stop',
      'Penalty (median of cold − warm)',
      'Cold: until the worker exists',
      'then until its fetch()',
      'then until the body',
    ]),
    ...(['bare', 'idb', 'proxy'] as const).map((arm) =>
      row([
        ARM_LABELS[arm],
        ms(coldStart[arm].warmMs),
        ms(coldStart[arm].coldMs),
        `+${ms(coldStart[arm].penaltyMs)}`,
        ms(coldStart[arm].phases.startMs),
        ms(coldStart[arm].phases.untilFetchMs),
        ms(coldStart[arm].phases.networkMs),
      ]),
    ),
    ...(
      [
        ['proxy − bare, paired per stop', coldStart.pairedExtraMs],
        ['proxy − idb floor, paired per stop', coldStart.pairedOverIdbMs],
        ['idb floor − bare, paired per stop', coldStart.idbPairedOverBareMs],
      ] as const
    ).map(([label, extraMs]) => row([label, '', '', signedMs(extraMs), '', '', ''])),
    '',
    `### Expiry latency: ${burst.tabs} tabs × ${burst.requestsPerTab} concurrent GETs through sw-auth-proxy, ${burst.rounds} bursts of each kind, alternating`,
    '',
    ...header(['Burst', 'All settled (median)', 'Refresh calls per burst (max)', '401s per burst (median)', 'Reuse detected', 'Failed']),
    ...(
      [
        ['valid token', burst.valid],
        ['right after `POST /demo/expire`', burst.expired],
      ] as const
    ).map(([label, arm]) =>
      row([label, ms(arm.settleMs), arm.maxRefreshCalls, arm.unauthorized, arm.reuseDetected, `${arm.failed} / ${arm.total}`]),
    ),
    row(['expired ÷ valid', `${burst.ratio.toFixed(2)}×`, '', '', '', '']),
    '',
    `Steady traffic across expiries: ${steady.tabs} tabs × one GET every ${steady.intervalMs} ms for ${steady.durationMs / 1000} s, ` +
      `${steady.accessTokenTtlSeconds} s tokens, \`refreshAhead.minMs\` ${steady.refreshAheadMinMs} (own server); ` +
      `${steady.expiries} expiries, ${steady.rotated} refreshes (${steady.refreshCalls} calls, median ${Math.round(steady.medianLeadMs)} ms ` +
      `before expiry), reuse detected ${steady.reuseDetected}, failed ${steady.failed}.`,
    '',
    ...header(['Requests', 'Count', 'Median', 'p99']),
    row([
      `fired within ±${steady.windowMs} ms of an expiry`,
      steady.nearExpiry.requests,
      ms(steady.nearExpiry.medianMs),
      ms(steady.nearExpiry.p99Ms),
    ]),
    row(['all others', steady.others.requests, ms(steady.others.medianMs), ms(steady.others.p99Ms)]),
    row(['near ÷ others', '', '', `${steady.p99Ratio.toFixed(2)}×`]),
    '',
    `### Memory: heap of each worker after GC, ${memory.proxy.requests.toLocaleString('en-US')} requests (50 in flight)`,
    '',
    ...header(['Worker', 'V8 before → after', 'V8 growth', "Blink's heap growth", 'Blink per 1,000 requests', 'Time']),
    ...(['bare', 'proxy'] as const).map((arm) =>
      row([
        ARM_LABELS[arm],
        `${kb(memory[arm].beforeBytes)} → ${kb(memory[arm].afterBytes)}`,
        signedKb(memory[arm].growthBytes),
        signedKb(memory[arm].embedderGrowthBytes),
        signedKb(perThousand(memory[arm])),
        `${(memory[arm].elapsedMs / 1000).toFixed(1)} s`,
      ]),
    ),
    '',
    `Targets: V8 growth < 1 MB; Blink's growth ≤ ${MAX_BLINK_GROWTH_TO_BARE.toFixed(2)}× the bare worker's (this run ` +
      `${blinkRatio(memory).toFixed(2)}×).`,
    '',
    ...header(['Bundle', 'Method', 'Minified', 'min+gzip']),
    ...[bundle.worker, bundle.client, bundle.clientWithWorkbox].map((figure) =>
      row([figure.file, figure.method, sizeKb(figure.minBytes), sizeKb(figure.minGzipBytes)]),
    ),
  );

  lines.push('', formatFleetTable(results.fleet).trimEnd());

  if (results.targets.some((check) => !check.met && /^(Overhead|Worker CPU)/.test(check.scenario))) {
    lines.push(
      '',
      `### Where the proxy worker spends its time (self time, every CPU window, ${cpu.profiles.proxy.busyMs.toFixed(0)} ms busy)`,
      '',
      ...header(['Function (source)', 'Self', 'Share']),
      ...cpu.profiles.proxy.top.map((entry) =>
        row([`\`${entry.location.replace(/\|/g, '\\|').replace(/`/g, "'")}\``, ms(entry.selfMs), `${(entry.share * 100).toFixed(1)} %`]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
