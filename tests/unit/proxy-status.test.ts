import { describe, expect, it } from 'vitest';
import { ProxyStatus } from '../../sw/proxy-status.js';
import type { SessionRecord } from '../../sw/token-store.js';
import { VERSION } from '../../sw/version.js';

const NOW = 1_000_000;

function record(overrides: Partial<SessionRecord> = {}, expiresAt: number | null = NOW + 1): SessionRecord {
  return {
    generation: 2,
    tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt, scope: null, placeholder: 'sw-auth-proxy.x', previousTokenHashes: [] },
    ended: null,
    updatedAt: 1,
    ...overrides,
  };
}

describe('ProxyStatus.snapshot', () => {
  it.each([
    ['no session yet', record({ tokens: null }), false, 'anonymous'],
    ['a session the server ended', record({ tokens: null, ended: 'expired' }), false, 'expired'],
    ['a logged-out session', record({ tokens: null, ended: 'logged-out' }), false, 'anonymous'],
    ['an ended session, even while a refresh settles', record({ tokens: null, ended: 'expired' }), true, 'expired'],
    ['a session', record(), false, 'authenticated'],
    ['a session being refreshed', record(), true, 'refreshing'],
  ] as const)('%s → %s', (_case, session, refreshing, state) => {
    expect(new ProxyStatus().snapshot(session, refreshing, NOW).state).toBe(state);
  });

  it.each([
    [NOW + 1, true],
    [NOW, false],
    [null, true],
  ])('hasValidToken with expiresAt %s is %s', (expiresAt, valid) => {
    expect(new ProxyStatus().snapshot(record({}, expiresAt), false, NOW).hasValidToken).toBe(valid);
  });

  it('reports counters as a copy, and never a token', () => {
    const status = new ProxyStatus();
    status.counters.requests = 5;
    status.pendingRequests = 2;
    status.lastRefreshAt = 42;
    const snapshot = status.snapshot(record(), false, NOW);
    status.counters.requests = 6;

    expect(snapshot).toEqual({
      state: 'authenticated',
      hasValidToken: true,
      expiresAt: NOW + 1,
      generation: 2,
      pendingRequests: 2,
      lastRefreshAt: 42,
      lastError: null,
      counters: { requests: 5, replayed: 0, refreshes: 0, refreshFailures: 0, replaysSkipped: 0 },
      version: VERSION,
    });
    expect(JSON.stringify(snapshot)).not.toMatch(/at-1|rt-1|sw-auth-proxy\.x/);
  });
});
