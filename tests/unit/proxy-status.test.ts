import { describe, expect, it } from 'vitest';
import type { AuthState } from '../../sw/protocol.js';
import { ProxyStatus } from '../../sw/proxy-status.js';
import type { SessionRecord } from '../../sw/token-store.js';
import { VERSION } from '../../sw/version.js';

const NOW = 1_000_000;

function record(overrides: Partial<SessionRecord> = {}, expiresAt: number | null = NOW + 1): SessionRecord {
  return {
    generation: 2,
    tokens: {
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAt,
      issuedAt: NOW - 1000,
      refreshAt: expiresAt === null ? null : expiresAt - 100,
      scope: null,
      placeholder: 'sw-auth-proxy.x',
      previousTokenHashes: [],
    },
    ended: null,
    refreshBlockedUntil: 0,
    failedCycles: 0,
    failingSince: 0,
    serverTimeOffsetMs: 0,
    pendingRefreshKey: null,
    updatedAt: 1,
    ...overrides,
  };
}

describe('ProxyStatus.snapshot', () => {
  it.each(['anonymous', 'authenticated', 'refreshing', 'backoff', 'expired'] as const)(
    'reports the state it is given (%s)',
    (state: AuthState) => {
      expect(new ProxyStatus().snapshot(record(), state, 0, false, NOW).state).toBe(state);
    },
  );

  it.each([
    [NOW + 1, true],
    [NOW, false],
    [null, true],
  ])('hasValidToken with expiresAt %s is %s', (expiresAt, valid) => {
    expect(new ProxyStatus().snapshot(record({}, expiresAt), 'authenticated', 0, false, NOW).hasValidToken).toBe(valid);
  });

  it('has no valid token without a session', () => {
    expect(new ProxyStatus().snapshot(record({ tokens: null }), 'anonymous', 0, false, NOW)).toMatchObject({
      hasValidToken: false,
      expiresAt: null,
      refreshAt: null,
    });
  });

  it.each([
    [0, null],
    [NOW + 5000, NOW + 5000],
  ])('refreshBlockedUntil %s is reported as %s', (blockedUntil, reported) => {
    expect(new ProxyStatus().snapshot(record(), 'backoff', blockedUntil, false, NOW).refreshBlockedUntil).toBe(reported);
  });

  it('reports every field, counters as a copy, and never a token', () => {
    const status = new ProxyStatus('page');
    status.counters.requests = 5;
    status.counters.apiRetries = 3;
    status.pendingRequests = 2;
    status.lastRefreshAt = 42;
    status.lastError = { name: 'RefreshFailedError', message: 'Failed to refresh the access token: the server answered 503' };
    const snapshot = status.snapshot(record({ serverTimeOffsetMs: -1500 }), 'backoff', NOW + 9000, true, NOW);
    status.counters.requests = 6;

    expect(snapshot).toEqual({
      mode: 'page',
      state: 'backoff',
      hasValidToken: true,
      expiresAt: NOW + 1,
      generation: 2,
      pendingRequests: 2,
      lastRefreshAt: 42,
      refreshBlockedUntil: NOW + 9000,
      refreshAt: NOW + 1 - 100,
      serverTimeOffsetMs: -1500,
      dpopThumbprint: null,
      debug: true,
      lastError: { name: 'RefreshFailedError', message: 'Failed to refresh the access token: the server answered 503' },
      counters: { requests: 5, replayed: 0, refreshes: 0, refreshFailures: 0, replaysSkipped: 0, apiRetries: 3, eventStreamsStalled: 0 },
      version: VERSION,
    });
    expect(JSON.stringify(snapshot)).not.toMatch(/at-1|rt-1|sw-auth-proxy\.x/);
  });

  it('uses the current time by default', () => {
    expect(new ProxyStatus().snapshot(record({}, Date.now() - 1), 'authenticated', 0, false).hasValidToken).toBe(false);
  });
});
