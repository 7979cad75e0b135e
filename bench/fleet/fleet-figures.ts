import type { FleetRun } from './fleet-simulation.js';

/** "Back to normal": the refresh rate, averaged over 10 s, at most this times the steady rate… */
export const RECOVERED_RATE_RATIO = 1.2;
/** …with every session holding a valid access token, for this long without a break. */
export const RECOVERED_FOR_S = 60;
const SMOOTHING_S = 10;

/** One scenario × policy, as the table reports it. */
export interface FleetFigures {
  scenario: string;
  policy: string;
  /** Refresh calls per second the fleet makes in equilibrium (see `steadyRate`). */
  steadyPerSecond: number;
  /** The busiest second's refresh calls at the server ÷ steady, in the measured window. */
  peakRatio: number;
  /** When the busiest second was, from the event's start. */
  peakAtS: number;
  p99Ratio: number;
  /** The busiest second of first calls (one per token: no retries, no calls after a pause) ÷ steady. */
  demandPeakRatio: number;
  /** From `recoverFromS` until the rate is back within 1.2× steady and every session holds a valid token; `null`: not within the run. */
  recoverySeconds: number | null;
  /** Ended by the server (`invalid_grant`) or logged out by the client. */
  lost: number;
  longestWithoutTokenS: number;
  sessionsEverWithoutToken: number;
  /** Refresh calls that reached the server, and how many of them it shed, in the measured window. */
  refreshCalls: number;
  shed: number;
  /** Calls that failed as network errors in an outage: they never reached the server. */
  unreachable: number;
  events: number;
}

/** Steady rate: mean refresh calls per second at the server over `[fromS, toS)`. */
export function steadyRate(run: FleetRun, fromS: number, toS: number): number {
  let sum = 0;
  for (let second = fromS; second < toS; second++) sum += run.arrivals[second]!;
  return sum / (toS - fromS);
}

/**
 * Peak and p99 (nearest rank) of the per-second refresh calls over `[measureFromS, end)`, and the
 * time to recover from `recoverFromS`; `'first-surge'`: from the first second the rate (over
 * 10 s) goes above 1.2× steady, i.e. how long a wave lasts (0 when there is none).
 */
export function summariseFleetRun(
  run: FleetRun,
  labels: { scenario: string; policy: string },
  { steady, measureFromS, recoverFrom }: { steady: number; measureFromS: number; recoverFrom: number | 'first-surge' },
): FleetFigures {
  const end = run.arrivals.length - 1;
  const window = Array.from(run.arrivals.subarray(measureFromS, end));
  let peakAt = 0;
  window.forEach((count, index) => {
    if (count > window[peakAt]!) peakAt = index;
  });
  const sorted = [...window].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;

  // Forward 10-s means, so a one-second Poisson blip does not count as a relapse.
  const mean = (from: number): number => {
    let sum = 0;
    for (let second = from; second < from + SMOOTHING_S; second++) sum += run.arrivals[second]!;
    return sum / SMOOTHING_S;
  };
  const lastStart = end - SMOOTHING_S - RECOVERED_FOR_S;
  const calm = (second: number): boolean => mean(second) <= RECOVERED_RATE_RATIO * steady && run.withoutToken[second] === 0;
  let from: number | null = recoverFrom === 'first-surge' ? null : recoverFrom;
  if (from === null) {
    for (let second = measureFromS; second <= lastStart; second++) {
      if (mean(second) > RECOVERED_RATE_RATIO * steady) {
        from = second;
        break;
      }
    }
  }
  let recoverySeconds: number | null = from === null ? 0 : null;
  if (from !== null) {
    let calmSince = -1;
    for (let second = from; second <= lastStart + RECOVERED_FOR_S; second++) {
      if (!calm(second)) calmSince = -1;
      else if (calmSince < 0) calmSince = second;
      if (calmSince >= 0 && second - calmSince + 1 >= RECOVERED_FOR_S) {
        recoverySeconds = calmSince - from;
        break;
      }
    }
  }
  const sum = (series: Int32Array): number => series.subarray(measureFromS, end).reduce((total, count) => total + count, 0);
  return {
    ...labels,
    steadyPerSecond: steady,
    peakRatio: window[peakAt]! / steady,
    peakAtS: peakAt,
    p99Ratio: p99 / steady,
    demandPeakRatio: Math.max(...run.firstCalls.subarray(measureFromS, end)) / steady,
    recoverySeconds,
    lost: run.endedByServer + run.loggedOut,
    longestWithoutTokenS: run.longestWithoutTokenMs / 1000,
    sessionsEverWithoutToken: run.sessionsEverWithoutToken,
    refreshCalls: sum(run.arrivals),
    shed: sum(run.shed),
    unreachable: sum(run.unreachable),
    events: run.events,
  };
}
