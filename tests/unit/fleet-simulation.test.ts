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
    // Every session has a token again within two of the longest pauses (1.5 × the 90 s a token has
    // left at most when its refresh fails) after the outage: one, and one more for a call shed then.
    expect(recovered!).toBeLessThanOrEqual(2 * 135);
  });

  it('(b) logins within one minute: without jitter the fleet refreshes in a wave; the spread window takes it apart', () => {
    expect(figures('login-wave', 'no jitter').peakRatio).toBeGreaterThan(5);
    expect(figures('login-wave', 'sw-auth-proxy').peakRatio).toBeLessThan(figures('login-wave', 'no jitter').peakRatio / 3);
    expect(figures('login-wave', 'sw-auth-proxy').lost).toBe(0);
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

  it('same pauses, retries, Retry-After handling and next refresh window as the real Refresher, for the same random draws', async () => {
    const config = testConfig();
    // One stream of draws for the refresher and the store, as the worker has (env.random).
    const random = seededRandom(99);
    const store = new TokenStore(config.databaseName, config.refreshTokenStorage, { refreshAhead: config.refreshAhead, random });
    const network = new FakeNetwork();
    const machine = new AuthStateMachine('anonymous', 0);
    const sleeps = recordedSleep();
    const locks = new MemoryLocks();
    const refresher = new Refresher({
      config,
      store,
      machine,
      announce: () => undefined,
      env: testEnvironment({ network, locks, sleeps, random }),
      lock: new RefreshLock(locks, config.databaseName),
    });
    const expiresAt = NOW + 80_000;
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt }), false);
    machine.send({ type: 'logged-in' });
    // A refresh ahead of expiry fails (503), then the server is down (network errors), then it
    // sheds load (429 + Retry-After), then a 503 and a good answer.
    const failures: (string | null)[] = [null, ...Array<null>(6).fill(null), '3', null];
    const answers: (() => Response | Promise<Response>)[] = [
      () => new Response('unavailable', { status: 503 }),
      ...Array.from({ length: 6 }, () => () => Promise.reject(new TypeError('Failed to fetch'))),
      () => new Response('slow down', { status: 429, headers: { 'Retry-After': '3' } }),
      () => new Response('unavailable', { status: 503 }),
      () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 600 }),
    ];
    network.route(TOKEN_ENDPOINT, () => answers.shift()!());
    const pauses: number[] = [];
    let result;
    for (let cycle = 0; cycle < 8; cycle++) {
      result = await refresher.refresh(1, refreshTrigger(Date.now() >= expiresAt ? 'expired' : 'proactive'));
      if (result.ok) break;
      pauses.push(machine.blockedUntil - Date.now());
      vi.setSystemTime(machine.blockedUntil);
    }

    // The simulation's view of the same session: the clock moves only with pauses, as above.
    const mirror = seededRandom(99);
    mirror(); // the login's refresh window
    const policy = swAuthProxyPolicy(mirror, config);
    const expected = { delays: [] as number[], pauses: [] as number[] };
    let now = NOW;
    let attempt = 1;
    let failedCycles = 0;
    let cycleRejected = false;
    let failingSince = -1;
    for (const retryAfter of failures) {
      if (attempt === 1) cycleRejected = now >= expiresAt;
      if (failingSince < 0) failingSince = now;
      const decision = policy.afterTransientFailure({
        attempt,
        retryAfter,
        now,
        failedCycles,
        tokenValidForMs: cycleRejected ? 0 : expiresAt - now,
        failingForMs: now - failingSince,
      });
      if (decision.kind === 'retry') {
        expected.delays.push(decision.delayMs);
        attempt++;
      } else if (decision.kind === 'pause') {
        expected.pauses.push(decision.pauseMs);
        now += decision.pauseMs;
        failedCycles++;
        attempt = 1;
      }
    }
    expect(network.sent).toHaveLength(10);
    expect({ delays: sleeps.delays, pauses }).toEqual(expected);
    // The first pause was ahead of expiry (no retries); quick retries came after it.
    expect(expected.pauses.length).toBeGreaterThanOrEqual(2);
    expect(expected.delays.length).toBeGreaterThan(0);
    // The 429's Retry-After (3 s) was waited for, with jitter on top, within a cycle.
    expect(expected.delays.some((delay) => delay >= 3000)).toBe(true);
    // A token won after failures is off schedule: the spread window, drawn next.
    expect(result).toMatchObject({ ok: true });
    const issuedAt = Date.now();
    expect(result!.ok && result!.record.tokens?.refreshAt).toBe(policy.refreshStartsAt(issuedAt, issuedAt + 600_000, false));
  });
});
