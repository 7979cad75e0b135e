import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, parseRetryAfter, retryDelay, type BackoffPolicy, type FailedAttempt } from '../../sw/backoff.js';

const POLICY: BackoffPolicy = { baseMs: 1000, capMs: 30_000, maxAttempts: 5, maxCooldownMs: 60_000 };
/** The largest value Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe('retryDelay (full jitter)', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [20, 30_000],
  ])('after attempt %i it is anywhere from 0 up to (not including) %i ms', (attempt, ceiling) => {
    expect(retryDelay(attempt, POLICY, () => 0)).toBe(0);
    expect(retryDelay(attempt, POLICY, () => ALMOST_ONE)).toBe(ceiling - 1);
    expect(retryDelay(attempt, POLICY, () => 0.5)).toBe(ceiling / 2);
  });

  it('is a whole number of milliseconds', () => {
    expect(retryDelay(1, { ...POLICY, baseMs: 999 }, () => 1 / 3)).toBe(333);
  });

  it('spreads: with Math.random, delays stay inside the bounds and are not all equal', () => {
    const delays = Array.from({ length: 200 }, () => retryDelay(3, POLICY));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(4000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});

describe('afterFailedAttempt', () => {
  const failing: FailedAttempt = { attempt: 1, retryable: true, retryAfterMs: null, tokenValidForMs: 0, failedCycles: 0, failingForMs: 0 };
  const decide = (failure: Partial<FailedAttempt>, ...draws: number[]) =>
    afterFailedAttempt({ ...failing, ...failure }, POLICY, () => draws.shift() ?? Number.NaN);

  it('with requests failing: full-jitter retries within the cycle, then a pause', () => {
    expect([1, 2, 3, 4].map((attempt) => decide({ attempt }, 0.5))).toEqual(
      [500, 1000, 2000, 4000].map((delayMs) => ({ kind: 'retry', delayMs })),
    );
    expect(decide({ attempt: 5 }, 0.5)).toEqual({ kind: 'pause', pauseMs: 5000 });
    expect(decide({ retryable: false }, 0.5)).toEqual({ kind: 'pause', pauseMs: 5000 });
  });

  it.each([
    // failed cycles before, time failing, the pause's middle
    [0, 0, 5000],
    [1, 0, 10_000],
    [0, 25_000, 25_000],
    [2, 25_000, 25_000],
    [3, 25_000, 40_000],
    [0, 600_000, 60_000],
    [9, 0, 60_000],
  ])('after %i failed cycles and %i ms failing, the pause is 0.5–1.5 × %i ms', (failedCycles, failingForMs, middle) => {
    const at = (draw: number) => decide({ attempt: 5, failedCycles, failingForMs }, draw);
    expect(at(0)).toEqual({ kind: 'pause', pauseMs: middle / 2 });
    expect(at(0.5)).toEqual({ kind: 'pause', pauseMs: middle });
    expect(at(ALMOST_ONE).kind === 'pause' && at(ALMOST_ONE)).toMatchObject({ pauseMs: Math.floor(middle * (1.5 - Number.EPSILON)) });
  });

  it('Retry-After: a retry waits at least the asked time plus up to as much again, within capMs; a longer one is the pause', () => {
    expect(decide({ retryAfterMs: 2000 }, 0, 0.5)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(decide({ retryAfterMs: 2000 }, 0.5, 0.5)).toEqual({ kind: 'retry', delayMs: 3000 });
    // Requests are waiting: the jitter does not push the retry past capMs into a pause.
    expect(decide({ retryAfterMs: 20_000 }, 0.9, 0.5)).toEqual({ kind: 'retry', delayMs: 30_000 });
    expect(decide({ retryAfterMs: 30_001 }, 0, 0.5)).toEqual({ kind: 'pause', pauseMs: 30_001 });
    expect(decide({ retryAfterMs: 2000, attempt: 5 }, 0.5, 0.5)).toEqual({ kind: 'pause', pauseMs: 5000 });
    expect(decide({ retryAfterMs: 20_000, attempt: 5 }, 0.5, 0.5)).toEqual({ kind: 'pause', pauseMs: 30_000 });
    expect(decide({ retryAfterMs: 120_000 }, ALMOST_ONE, 0, 0)).toEqual({ kind: 'pause', pauseMs: 239_999 });
  });

  it('with the token still valid: no retry burst, a pause of 0.5–1.5 × the time left', () => {
    expect(decide({ tokenValidForMs: 80_000 }, 0)).toEqual({ kind: 'pause', pauseMs: 40_000 });
    expect(decide({ tokenValidForMs: 80_000 }, 0.5)).toEqual({ kind: 'pause', pauseMs: 80_000 });
    expect(decide({ tokenValidForMs: 80_000 }, ALMOST_ONE)).toEqual({ kind: 'pause', pauseMs: 119_999 });
    expect(decide({ tokenValidForMs: 80_000, retryAfterMs: 100_000 }, 0.5, 0)).toEqual({ kind: 'pause', pauseMs: 150_000 });
  });

  it('…but no more than maxCooldownMs past the expiry', () => {
    expect(decide({ tokenValidForMs: 3_600_000 }, ALMOST_ONE)).toEqual({ kind: 'pause', pauseMs: 3_660_000 });
  });

  it('a token about to expire (2 × baseMs or less) counts as failing: the cycle retries', () => {
    expect(decide({ tokenValidForMs: 2000 }, 0.5)).toEqual({ kind: 'retry', delayMs: 500 });
    expect(decide({ tokenValidForMs: 2001 }, 0.5)).toEqual({ kind: 'pause', pauseMs: 2001 });
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const NOW = Date.UTC(2030, 0, 1, 12);
  const http = (ms: number) => new Date(ms).toUTCString();

  it.each([
    ['0', 0],
    ['2', 2000],
    ['120', 120_000],
    [' 7 ', 7000],
  ])('reads delay-seconds %j as %i ms', (value, ms) => {
    expect(parseRetryAfter(value, null, NOW)).toBe(ms);
  });

  // V8's Date.parse reads these as dates in 2001, which would turn nonsense into "retry now".
  it.each(['-1', '1.5', '2.5', '-5'])('treats %j, neither delay-seconds nor an HTTP-date, as unreadable', (value) => {
    expect(parseRetryAfter(value, null, NOW)).toBeNull();
  });

  it('measures an HTTP-date against the response`s Date header, whatever this clock says', () => {
    const serverNow = NOW - 5 * 60_000; // the browser's clock is five minutes fast
    expect(parseRetryAfter(http(serverNow + 30_000), http(serverNow), NOW)).toBe(30_000);
    expect(parseRetryAfter(http(serverNow + 30_000), http(serverNow), NOW + 3_600_000)).toBe(30_000);
  });

  it('measures an HTTP-date against this clock when there is no usable Date header', () => {
    expect(parseRetryAfter(http(NOW + 4000), null, NOW)).toBe(4000);
    expect(parseRetryAfter(http(NOW + 4000), 'yesterday-ish', NOW)).toBe(4000);
  });

  it('an HTTP-date in the past means "now"', () => {
    expect(parseRetryAfter(http(NOW - 60_000), http(NOW), NOW)).toBe(0);
  });

  it.each([null, '', 'soon', 'Fri, 99 Foo 2030 25:61:61 GMT'])('%j → null', (value) => {
    expect(parseRetryAfter(value, null, NOW)).toBeNull();
  });
});
