import { describe, expect, it } from 'vitest';
import { refreshStartsAt, spreadRefreshStartsAt } from '../../sw/refresh-window.js';

const ISSUED = Date.UTC(2030, 0, 1, 12);
const ALMOST_ONE = 1 - Number.EPSILON;
const seconds = (s: number) => s * 1000;

/** How long before expiry the refresh window opens, for a token living `lifetimeMs`. */
function aheadOf(lifetimeMs: number, random: () => number, fraction?: number, minimumMs?: number): number {
  return ISSUED + lifetimeMs - refreshStartsAt(ISSUED, ISSUED + lifetimeMs, random, fraction, minimumMs);
}

describe('refreshStartsAt', () => {
  it('a 10 s token refreshes from 5 s on: half its lifetime, never earlier, whatever the jitter', () => {
    expect(refreshStartsAt(ISSUED, ISSUED + seconds(10), () => 0)).toBe(ISSUED + seconds(5));
    expect(refreshStartsAt(ISSUED, ISSUED + seconds(10), () => ALMOST_ONE)).toBe(ISSUED + seconds(5));
  });

  it.each([
    // lifetime, ahead without jitter, most jitter
    ['1 h: 10 % of the lifetime', seconds(3600), seconds(360), seconds(180)],
    ['15 min: 10 %', seconds(900), seconds(90), seconds(45)],
    ['60 s: 10 % (6 s) is above the 5 s minimum', seconds(60), seconds(6), seconds(3)],
    ['30 s: at least 5 s', seconds(30), seconds(5), 2500],
    ['12 s: at least 5 s, jitter only up to half the lifetime', seconds(12), seconds(5), seconds(1)],
    ['8 s: never more than half the lifetime', seconds(8), seconds(4), 0],
    ['0 s: at expiry', 0, 0, 0],
  ])('%s', (_case, lifetime, ahead, jitter) => {
    expect(aheadOf(lifetime, () => 0)).toBe(ahead);
    expect(aheadOf(lifetime, () => 0.5)).toBe(ahead + jitter / 2);
    const earliest = aheadOf(lifetime, () => ALMOST_ONE);
    expect(earliest).toBeGreaterThanOrEqual(ahead + jitter - 1);
    expect(earliest).toBeLessThanOrEqual(ahead + jitter);
    expect(earliest).toBeLessThanOrEqual(lifetime / 2);
  });

  it('stays inside [expiry − 1.5 × ahead, expiry − ahead] and never before half the lifetime, for any jitter', () => {
    for (const lifetime of [seconds(1), seconds(9), seconds(11), seconds(45), seconds(300), seconds(86_400)]) {
      const ahead = Math.min(lifetime / 2, Math.max(seconds(5), lifetime * 0.1));
      for (let i = 0; i < 50; i++) {
        const at = refreshStartsAt(ISSUED, ISSUED + lifetime);
        expect(at).toBeLessThanOrEqual(ISSUED + lifetime - ahead + 1);
        expect(at).toBeGreaterThanOrEqual(ISSUED + lifetime - 1.5 * ahead - 1);
        expect(at).toBeGreaterThanOrEqual(ISSUED + lifetime / 2 - 1);
      }
    }
  });

  it('follows the configured fraction and minimum', () => {
    expect(aheadOf(seconds(3600), () => 0, 0.25)).toBe(seconds(900));
    expect(aheadOf(seconds(60), () => 0, 0.1, seconds(20))).toBe(seconds(20));
    expect(aheadOf(seconds(60), () => 0, 0.5, 1)).toBe(seconds(30));
  });

  it('is a whole millisecond', () => {
    expect(Number.isInteger(refreshStartsAt(ISSUED, ISSUED + 123_457, () => 1 / 3))).toBe(true);
  });

  it('a token that expired before it was issued (clock trouble) refreshes at once', () => {
    expect(refreshStartsAt(ISSUED, ISSUED - 1000, () => 0.5)).toBe(ISSUED - 1000);
  });
});

describe('spreadRefreshStartsAt (a token off schedule)', () => {
  it.each([
    ['1 h', seconds(3600), seconds(1080), seconds(3240)],
    ['15 min', seconds(900), seconds(270), seconds(810)],
    ['10 s: from 3 s to half the lifetime', seconds(10), seconds(3), seconds(5)],
    ['0 s: at expiry', 0, 0, 0],
  ])('%s: uniform from 30 %% of the lifetime to where the narrow window ends', (_case, lifetime, from, to) => {
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + lifetime, () => 0)).toBe(ISSUED + from);
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + lifetime, () => 0.5)).toBe(ISSUED + (from + to) / 2);
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + lifetime, () => ALMOST_ONE)).toBe(ISSUED + to);
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + lifetime, () => ALMOST_ONE)).toBe(refreshStartsAt(ISSUED, ISSUED + lifetime, () => 0));
  });

  it('follows the configured fraction and minimum', () => {
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + seconds(3600), () => ALMOST_ONE, 0.25)).toBe(ISSUED + seconds(2700));
    expect(spreadRefreshStartsAt(ISSUED, ISSUED + seconds(60), () => ALMOST_ONE, 0.1, seconds(20))).toBe(ISSUED + seconds(40));
  });
});
