import { summariseFleetRun, steadyRate, type FleetFigures } from './fleet-figures.js';
import { simulateFleet, type FleetRun, type FleetSetup } from './fleet-simulation.js';
import { naivePolicy, noJitterPolicy, swAuthProxyPolicy } from './refresh-policies.js';
import type { RefreshPolicy } from './refresh-policy.js';

export interface FleetOptions {
  sessions: number;
  seed: number;
}

/** 100,000 sessions, as issue 13 asks. */
export const FULL_FLEET: FleetOptions = { sessions: 100_000, seed: 13 };

export type FleetScenarioId = 'outage' | 'login-wave' | 'rate-limited';

/** The model's constants (bench/README.md, "Fleet simulation"). */
export const FLEET_MODEL = {
  tokenLifetimeMs: 600_000,
  requestPeriodMs: { min: 10_000, max: 50_000 },
  roundTripMs: 100,
  /** The server serves 3 × sessions ÷ token lifetime calls a second: about 2.7× the steady rate. */
  capacityFactor: 3,
  /**
   * The event comes one token lifetime into the run. The fleet starts in equilibrium (each token's
   * age uniform over its refresh cycle; the rate is flat from the first minute), so this is margin.
   */
  eventAtMs: 600_000,
  outageMs: 60_000,
  /** (c): for this long the server serves only half of sessions ÷ lifetime a second, and sheds with 429. */
  overloadMs: 120_000,
  overloadCapacityFactor: 0.5,
  retryAfterSeconds: 10,
  /** Watched after the event ends: long enough for the echo one token lifetime later. */
  afterMs: 900_000,
  loginWaveMs: 60_000,
  /** (b) runs three token lifetimes: the wave and two echoes. */
  loginWaveRunMs: 1_800_000,
} as const;

export interface FleetScenarioResult {
  id: FleetScenarioId;
  label: string;
  /** Second of the run the chart and the figures count from (the event's start). */
  eventFromS: number;
  /** Seconds in which the server was down or degraded, for the chart's shading. */
  eventWindowS: [number, number] | null;
  capacityPerSecond: number;
  reducedCapacityPerSecond: number | null;
  figures: FleetFigures[];
  /** Second of the run `series` starts at: a minute before the event where there is one. */
  seriesFromS: number;
  /** Refresh calls at the server per second, from `seriesFromS` on, per policy id. */
  series: Record<string, number[]>;
}

export interface FleetResult {
  sessions: number;
  seed: number;
  policies: { id: string; label: string }[];
  scenarios: FleetScenarioResult[];
  durationSeconds: number;
}

/** The policies compared, each built around the run's seeded jitter. */
export const FLEET_POLICIES: readonly ((random: () => number) => RefreshPolicy)[] = [
  (random) => swAuthProxyPolicy(random),
  () => noJitterPolicy(),
  (random) => naivePolicy(random, null),
  (random) => naivePolicy(random, 5),
];

const SERIES_LEAD_S = 60;

/**
 * The three scenarios of issue 13 × every policy: (a) a 60 s outage of the auth server, (b) every
 * session logged in within one minute, (c) the server degraded for 2 min to half of sessions ÷
 * token lifetime a second (below the steady rate), shedding with 429 + `Retry-After`. The steady
 * rate of a policy is measured in the minute before the outage of (a), with the fleet in
 * equilibrium; (b) and (c) use the same figure, as they are the same fleet.
 */
export function runFleetScenarios(options: FleetOptions, policies = FLEET_POLICIES): FleetResult {
  const began = performance.now();
  const model = FLEET_MODEL;
  const { sessions, seed } = options;
  const nominal = sessions / (model.tokenLifetimeMs / 1000);
  const capacityPerSecond = Math.round(model.capacityFactor * nominal);
  const reducedPerSecond = Math.round(model.overloadCapacityFactor * nominal);
  const base = {
    sessions,
    seed,
    tokenLifetimeMs: model.tokenLifetimeMs,
    requestPeriodMs: model.requestPeriodMs,
    roundTripMs: model.roundTripMs,
  };
  const eventS = model.eventAtMs / 1000;
  const setups: Record<FleetScenarioId, FleetSetup> = {
    outage: {
      ...base,
      logins: { kind: 'steady' },
      durationMs: model.eventAtMs + model.outageMs + model.afterMs,
      server: { capacityPerSecond, overload: { status: 503 }, outage: { fromMs: model.eventAtMs, toMs: model.eventAtMs + model.outageMs } },
    },
    'login-wave': {
      ...base,
      logins: { kind: 'wave', withinMs: model.loginWaveMs },
      durationMs: model.loginWaveRunMs,
      server: { capacityPerSecond, overload: { status: 503 } },
    },
    'rate-limited': {
      ...base,
      logins: { kind: 'steady' },
      durationMs: model.eventAtMs + model.overloadMs + model.afterMs,
      server: {
        capacityPerSecond,
        overload: { status: 429, retryAfterSeconds: model.retryAfterSeconds },
        reducedCapacity: { fromMs: model.eventAtMs, toMs: model.eventAtMs + model.overloadMs, perSecond: reducedPerSecond },
      },
    },
  };
  const labels: Record<FleetScenarioId, string> = {
    outage: `(a) ${model.outageMs / 1000} s outage`,
    'login-wave': `(b) all log in within ${model.loginWaveMs / 60_000} min`,
    'rate-limited': `(c) ${model.overloadMs / 60_000} min at ${reducedPerSecond}/s, 429 + Retry-After: ${model.retryAfterSeconds}`,
  };
  const scenarios: FleetScenarioResult[] = (['outage', 'login-wave', 'rate-limited'] as const).map((id) => ({
    id,
    label: labels[id],
    eventFromS: id === 'login-wave' ? 0 : eventS,
    eventWindowS:
      id === 'outage'
        ? [eventS, eventS + model.outageMs / 1000]
        : id === 'rate-limited'
          ? [eventS, eventS + model.overloadMs / 1000]
          : null,
    capacityPerSecond,
    reducedCapacityPerSecond: id === 'rate-limited' ? reducedPerSecond : null,
    figures: [],
    seriesFromS: Math.max(0, (id === 'login-wave' ? 0 : eventS) - SERIES_LEAD_S),
    series: {},
  }));
  const policyLabels: { id: string; label: string }[] = [];
  for (const makePolicy of policies) {
    // Built once only to read its name; each run builds its own around the run's generator.
    const { id: policyId, label: policy } = makePolicy(() => 0.5);
    policyLabels.push({ id: policyId, label: policy });
    let steady = Number.NaN;
    for (const scenario of scenarios) {
      const run: FleetRun = simulateFleet(setups[scenario.id], makePolicy);
      if (scenario.id === 'outage') steady = steadyRate(run, eventS - 60, eventS);
      scenario.figures.push(
        summariseFleetRun(
          run,
          { scenario: scenario.id, policy },
          {
            steady,
            measureFromS: scenario.eventFromS,
            recoverFrom: scenario.eventWindowS === null ? 'first-surge' : scenario.eventWindowS[1],
          },
        ),
      );
      scenario.series[policyId] = Array.from(run.arrivals.subarray(scenario.seriesFromS, run.arrivals.length - 1));
    }
  }
  return { sessions, seed, policies: policyLabels, scenarios, durationSeconds: (performance.now() - began) / 1000 };
}
