import type { BenchOptions } from './bench-options.js';
import type { TargetCheck } from './bench-targets.js';
import type { ColdStartResult } from './cold-start-scenario.js';
import type { ExpiryBurstResult } from './expiry-burst-scenario.js';
import type { ExpirySteadyResult } from './expiry-steady-scenario.js';
import type { CpuResult } from './cpu-scenario.js';
import type { FleetResult } from './fleet/fleet-scenario.js';
import type { BundleSizeResult } from './measure-bundle-size.js';
import type { MemoryResult } from './memory-scenario.js';
import type { OverheadResult } from './overhead-scenario.js';
import type { StormResult } from './storm-scenario.js';

/** Everything one run measured: the content of `bench/results.json`. */
export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  environment: {
    node: string;
    chromium: string;
    cpus: number;
    /** 1-minute load average at start and end: a busy machine explains noisy figures. */
    loadBefore: number;
    loadAfter: number;
  };
  options: BenchOptions;
  overhead: OverheadResult;
  cpu: CpuResult;
  storm: StormResult;
  coldStart: ColdStartResult;
  expiryBurst: ExpiryBurstResult;
  expirySteady: ExpirySteadyResult;
  memory: MemoryResult;
  bundle: BundleSizeResult;
  fleet: FleetResult;
  targets: TargetCheck[];
}
