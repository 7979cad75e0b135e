import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFleetScenarios, type FleetResult } from '../../bench/fleet/fleet-scenario.js';
import { swAuthProxyPolicy } from '../../bench/fleet/refresh-policies.js';
import { seededRandom } from '../../bench/fleet/seeded-random.js';
import { AuthStateMachine } from '../../sw/auth-state-machine.js';
import { RefreshLock } from '../../sw/refresh-lock.js';
import { Refresher } from '../../sw/refresher.js';
import { TokenStore } from '../../sw/token-store.js';
import { FakeNetwork, tokenResponse } from './helpers/fake-network.js';
import { TOKEN_ENDPOINT, refreshTrigger, testConfig, tokenSet } from './helpers/fixtures.js';
import { MemoryLocks } from './helpers/memory-locks.js';
import { recordedSleep } from './helpers/recorded-sleep.js';
import { testEnvironment } from './helpers/test-environment.js';

/**
 * The fleet simulation of bench/fleet at 2,000 sessions (the bench runs 100,000): it is
 * deterministic, it shows the herds it is there to show, and the policy it calls sw-auth-proxy
 * decides exactly what the worker's Refresher decides.
 */

const SMALL_FLEET = { sessions: 2_000, seed: 7 };
let fleet: FleetResult;
const figures = (scenario: string, policy: string) => {
  const found = fleet.scenarios.find((entry) => entry.id === scenario)?.figures.find((entry) => entry.policy === policy);
  if (!found) throw new Error(`no figures for ${scenario} × ${policy}`);
  return found;
};

describe('fleet simulation', () => {
  beforeEach(() => {
    fleet ??= runFleetScenarios(SMALL_FLEET);
  });

  it('is deterministic: the same seed gives the same figures and series', () => {
    const again = runFleetScenarios(SMALL_FLEET);
    expect({ ...again, durationSeconds: 0 }).toEqual({ ...fleet, durationSeconds: 0 });
    const other = runFleetScenarios({ ...SMALL_FLEET, seed: 8 });
    expect(other.scenarios[0]!.series).not.toEqual(fleet.scenarios[0]!.series);
  });

  it('starts in equilibrium: sessions ÷ (time to the refresh window + half a request period), flat until the event', () => {
    const steady = figures('outage', 'sw-auth-proxy').steadyPerSecond;
    // A 600 s token opens its window 60–90 s early (75 s on average); a request finds it open 15 s later on average.
    expect(steady).toBeGreaterThan((SMALL_FLEET.sessions / 540) * 0.9);
    expect(steady).toBeLessThan((SMALL_FLEET.sessions / 540) * 1.1);
    const series = fleet.scenarios[0]!.series['sw-auth-proxy']!;
    const outage = fleet.scenarios[0]!;
    const before = series.slice(0, outage.eventFromS - outage.seriesFromS);
    expect(before.reduce((sum, count) => sum + count, 0) / before.length).toBeCloseTo(steady, 5);
  });

  it('(a) outage: the naive retry comes back as a herd far above steady; sw-auth-proxy keeps every session', () => {
    expect(figures('outage', 'naive: 1 s, forever').peakRatio).toBeGreaterThan(20);
    expect(figures('outage', 'naive: 1 s, forever').peakRatio).toBeGreaterThan(3 * figures('outage', 'sw-auth-proxy').peakRatio);
    expect(figures('outage', 'sw-auth-proxy').lost).toBe(0);
    expect(figures('outage', 'naive: 1 s, 5 tries, log out').lost).toBeGreaterThan(0);
    const recovered = figures('outage', 'sw-auth-proxy').recoverySeconds;
    expect(recovered).not.toBeNull();
    // Every session that was paused has a token again within the longest pause after the outage.
    expect(recovered!).toBeLessThanOrEqual(120);
  });

  it('(b) logins within one minute: the refresh window alone sends the fleet in a wave', () => {
    const wave = figures('login-wave', 'sw-auth-proxy');
    expect(wave.demandPeakRatio).toBeGreaterThan(2);
    expect(wave.peakRatio).toBeGreaterThanOrEqual(wave.demandPeakRatio);
    expect(wave.lost).toBe(0);
  });

  it('(c) 429 + Retry-After: no session lost by the worker; the naive client that gives up loses some', () => {
    expect(figures('rate-limited', 'sw-auth-proxy').lost).toBe(0);
    expect(figures('rate-limited', 'naive: 1 s, 5 tries, log out').lost).toBeGreaterThan(0);
    expect(figures('rate-limited', 'naive: 1 s, forever').peakRatio).toBeGreaterThan(figures('rate-limited', 'sw-auth-proxy').peakRatio);
  });
});

describe('fleet simulation: the sw-auth-proxy policy is the Refresher', () => {
  const NOW = Date.UTC(2030, 0, 1, 12);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('same retry delays, Retry-After and widening pauses as the real Refresher, for the same random draws', async () => {
    const config = testConfig();
    const store = new TokenStore(config.databaseName, config.refreshTokenStorage, { refreshAhead: config.refreshAhead });
    const network = new FakeNetwork();
    const machine = new AuthStateMachine('anonymous', 0);
    const sleeps = recordedSleep();
    const locks = new MemoryLocks();
    const refresher = new Refresher({
      config,
      store,
      machine,
      announce: () => undefined,
      env: testEnvironment({ network, locks, sleeps, random: seededRandom(99) }),
      lock: new RefreshLock(locks, config.databaseName),
    });
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    machine.send({ type: 'logged-in' });
    // Cycle 1: network errors; cycle 2: 429 with Retry-After; cycle 3: a 503, then a good answer.
    const answers: (() => Response | Promise<Response>)[] = [
      ...Array.from({ length: 5 }, () => () => Promise.reject(new TypeError('Failed to fetch'))),
      ...Array.from({ length: 5 }, () => () => new Response('slow down', { status: 429, headers: { 'Retry-After': '3' } })),
      () => new Response('unavailable', { status: 503 }),
      () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }),
    ];
    network.route(TOKEN_ENDPOINT, () => answers.shift()!());
    const pauses: number[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const result = await refresher.refresh(1, refreshTrigger());
      if (result.ok) break;
      pauses.push(machine.blockedUntil - Date.now());
      vi.setSystemTime(machine.blockedUntil);
    }

    const policy = swAuthProxyPolicy(seededRandom(99), config);
    const expected = { delays: [] as number[], pauses: [] as number[] };
    const failures = [...Array(5).fill(null), ...Array(5).fill('3'), null] as (string | null)[];
    let attempt = 1;
    let failedCycles = 0;
    for (const retryAfter of failures) {
      const decision = policy.afterTransientFailure({ attempt, retryAfter, now: 0, failedCycles });
      if (decision.kind === 'retry') {
        expected.delays.push(decision.delayMs);
        attempt++;
      } else if (decision.kind === 'pause') {
        expected.pauses.push(decision.pauseMs);
        failedCycles++;
        attempt = 1;
      }
    }
    expect(network.sent).toHaveLength(12);
    expect({ delays: sleeps.delays, pauses }).toEqual(expected);
    expect(expected.pauses).toHaveLength(2);
    // Retry-After (3 s) is honoured when it is longer than the jittered delay.
    expect(expected.delays.slice(4, 8).every((delay) => delay >= 3000)).toBe(true);
  });
});
