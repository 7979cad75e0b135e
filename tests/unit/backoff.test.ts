import { describe, expect, it } from 'vitest';
import { cooldownDelay, parseRetryAfter, retryDelay, type BackoffPolicy } from '../../sw/backoff.js';

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

describe('cooldownDelay (equal jitter)', () => {
  it.each([
    [1, 5000],
    [2, 10_000],
    [3, 20_000],
    [4, 40_000],
    [5, 60_000],
    [9, 60_000],
  ])('after failed cycle %i it is between half of %i ms and all of it', (cycle, full) => {
    expect(cooldownDelay(cycle, POLICY, () => 0)).toBe(full / 2);
    const longest = cooldownDelay(cycle, POLICY, () => ALMOST_ONE);
    expect(longest).toBeGreaterThanOrEqual(full - 1);
    expect(longest).toBeLessThanOrEqual(full);
  });

  it('widens with every failed cycle until maxCooldownMs', () => {
    const pauses = [1, 2, 3, 4, 5, 6].map((cycle) => cooldownDelay(cycle, POLICY, () => 0.5));
    expect(pauses).toEqual([3750, 7500, 15_000, 30_000, 45_000, 45_000]);
  });

  it('follows baseMs and maxCooldownMs', () => {
    const policy = { ...POLICY, baseMs: 100, maxCooldownMs: 1500 };
    expect([1, 2, 3, 4].map((cycle) => cooldownDelay(cycle, policy, () => 0))).toEqual([250, 500, 750, 750]);
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
