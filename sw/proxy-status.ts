import type { AuthCounters, AuthState, AuthStatus, ProxyMode, WireError } from './protocol.js';
import type { SessionRecord } from './token-store.js';
import { VERSION } from './version.js';

/** Counters and recent history of this worker (or page engine), for `AuthProxy.status()`. */
export class ProxyStatus {
  /** Where the engine runs: a service worker, or the page itself (`fallback: 'page'`). */
  readonly mode: ProxyMode;
  readonly counters: AuthCounters = {
    requests: 0,
    replayed: 0,
    refreshes: 0,
    refreshFailures: 0,
    replaysSkipped: 0,
    apiRetries: 0,
    eventStreamsStalled: 0,
  };
  pendingRequests = 0;
  lastRefreshAt: number | null = null;
  lastError: WireError | null = null;

  constructor(mode: ProxyMode = 'worker') {
    this.mode = mode;
  }

  snapshot(record: SessionRecord, state: AuthState, blockedUntil: number, debug: boolean, now = Date.now()): AuthStatus {
    const tokens = record.tokens;
    return {
      mode: this.mode,
      state,
      hasValidToken: tokens !== null && (tokens.expiresAt === null || tokens.expiresAt > now),
      expiresAt: tokens?.expiresAt ?? null,
      generation: record.generation,
      pendingRequests: this.pendingRequests,
      lastRefreshAt: this.lastRefreshAt,
      refreshBlockedUntil: blockedUntil > 0 ? blockedUntil : null,
      refreshAt: tokens?.refreshAt ?? null,
      serverTimeOffsetMs: record.serverTimeOffsetMs,
      dpopThumbprint: tokens?.dpopKey?.thumbprint ?? null,
      debug,
      lastError: this.lastError,
      counters: { ...this.counters },
      version: VERSION,
    };
  }
}
