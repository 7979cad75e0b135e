import type { AuthCounters, AuthStatus, WireError } from './protocol.js';
import type { SessionRecord } from './token-store.js';
import { VERSION } from './version.js';

/** Counters and recent history of this worker, for `AuthProxy.status()`. */
export class ProxyStatus {
  readonly counters: AuthCounters = { requests: 0, replayed: 0, refreshes: 0, refreshFailures: 0, replaysSkipped: 0 };
  pendingRequests = 0;
  lastRefreshAt: number | null = null;
  lastError: WireError | null = null;

  snapshot(record: SessionRecord, refreshing: boolean, now = Date.now()): AuthStatus {
    const tokens = record.tokens;
    return {
      state: refreshing && tokens ? 'refreshing' : tokens ? 'authenticated' : record.ended === 'expired' ? 'expired' : 'anonymous',
      hasValidToken: tokens !== null && (tokens.expiresAt === null || tokens.expiresAt > now),
      expiresAt: tokens?.expiresAt ?? null,
      generation: record.generation,
      pendingRequests: this.pendingRequests,
      lastRefreshAt: this.lastRefreshAt,
      lastError: this.lastError,
      counters: { ...this.counters },
      version: VERSION,
    };
  }
}
