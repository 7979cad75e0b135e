import type { ColdStartOptions } from './cold-start-scenario.js';
import type { ExpiryBurstOptions } from './expiry-burst-scenario.js';
import type { ExpirySteadyOptions } from './expiry-steady-scenario.js';
import type { CpuOptions } from './cpu-scenario.js';
import { FULL_FLEET, type FleetOptions } from './fleet/fleet-scenario.js';
import type { MemoryOptions } from './memory-scenario.js';
import type { OverheadOptions } from './overhead-scenario.js';
import type { StormScenarioOptions } from './storm-scenario.js';

/** Every knob of one bench run. */
export interface BenchOptions {
  overhead: OverheadOptions;
  cpu: CpuOptions;
  storm: StormScenarioOptions;
  coldStart: ColdStartOptions;
  expiryBurst: ExpiryBurstOptions;
  /** Run on a server of its own, whose tokens live `accessTokenTtlSeconds`. */
  expirySteady: ExpirySteadyOptions & { accessTokenTtlSeconds: number; refreshAheadMinMs: number };
  memory: MemoryOptions;
  fleet: FleetOptions;
}

/** The figures: 2,000 requests per arm and mode, 7 CPU profile windows, 3 × 2 storm sizes, 50,000 per worker for memory. */
export const FULL_BENCH: BenchOptions = {
  overhead: { requests: 2_000, rounds: 40, concurrency: 50, warmup: 200 },
  cpu: { requests: 400, windows: 7, concurrency: 50, warmup: 200 },
  storm: {
    tabs: [1, 5, 20],
    requestsPerTab: [10, 100],
    clients: ['proxy', 'floor', 'axios', 'axios-no-dedupe', 'naive'],
    deadlineMs: 30_000,
  },
  coldStart: { repetitions: 21 },
  expiryBurst: { tabs: 5, requestsPerTab: 20, rounds: 9, deadlineMs: 30_000 },
  // 5 s tokens refreshed 1–1.5 s ahead: an expiry about every 4 s, 10 of them in 40 s. 40 requests a
  // second in all: well below what the worker serves on a loaded machine, so nothing queues.
  expirySteady: { tabs: 2, durationMs: 40_000, intervalMs: 50, windowMs: 1000, accessTokenTtlSeconds: 5, refreshAheadMinMs: 1000 },
  memory: { requests: 50_000, referenceRequests: 50_000, warmup: 2_000, concurrency: 50 },
  fleet: FULL_FLEET,
};

/** `BENCH_QUICK=1`: the same scenarios, small, to check the bench itself in about a minute. */
export const QUICK_BENCH: BenchOptions = {
  overhead: { requests: 300, rounds: 3, concurrency: 50, warmup: 50 },
  cpu: { requests: 100, windows: 3, concurrency: 50, warmup: 50 },
  storm: { tabs: [1, 5], requestsPerTab: [10], clients: ['proxy', 'floor', 'axios', 'axios-no-dedupe', 'naive'], deadlineMs: 30_000 },
  coldStart: { repetitions: 5 },
  expiryBurst: { tabs: 5, requestsPerTab: 20, rounds: 3, deadlineMs: 30_000 },
  expirySteady: { tabs: 2, durationMs: 12_000, intervalMs: 50, windowMs: 1000, accessTokenTtlSeconds: 5, refreshAheadMinMs: 1000 },
  memory: { requests: 5_000, referenceRequests: 5_000, warmup: 500, concurrency: 50 },
  // Full size here too: it takes seconds, and the chart it writes is the committed one.
  fleet: FULL_FLEET,
};
