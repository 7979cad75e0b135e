import type { ColdStartOptions } from './cold-start-scenario.js';
import { FULL_FLEET, type FleetOptions } from './fleet/fleet-scenario.js';
import type { MemoryOptions } from './memory-scenario.js';
import type { OverheadOptions } from './overhead-scenario.js';
import type { StormScenarioOptions } from './storm-scenario.js';

/** Every knob of one bench run. */
export interface BenchOptions {
  overhead: OverheadOptions;
  storm: StormScenarioOptions;
  coldStart: ColdStartOptions;
  memory: MemoryOptions;
  fleet: FleetOptions;
}

/** The figures: 2,000 requests per arm and mode, 3 × 2 storm sizes, 50,000 for memory. */
export const FULL_BENCH: BenchOptions = {
  overhead: { requests: 2_000, rounds: 40, concurrency: 50, warmup: 200, profileRequests: 400 },
  storm: {
    tabs: [1, 5, 20],
    requestsPerTab: [10, 100],
    clients: ['proxy', 'floor', 'axios', 'axios-no-dedupe', 'naive'],
    deadlineMs: 30_000,
  },
  coldStart: { repetitions: 15 },
  memory: { requests: 50_000, referenceRequests: 5_000, warmup: 2_000, concurrency: 50 },
  fleet: FULL_FLEET,
};

/** `BENCH_QUICK=1`: the same scenarios, small, to check the bench itself in about a minute. */
export const QUICK_BENCH: BenchOptions = {
  overhead: { requests: 300, rounds: 3, concurrency: 50, warmup: 50, profileRequests: 100 },
  storm: { tabs: [1, 5], requestsPerTab: [10], clients: ['proxy', 'floor', 'axios', 'axios-no-dedupe', 'naive'], deadlineMs: 30_000 },
  coldStart: { repetitions: 3 },
  memory: { requests: 5_000, referenceRequests: 1_000, warmup: 500, concurrency: 50 },
  // Full size here too: it takes seconds, and the chart it writes is the committed one.
  fleet: FULL_FLEET,
};
