import type { AuthProxyEventDetails } from '../../client/index.js';

type Details = AuthProxyEventDetails;

/** How a refresh cycle ended, or that it has not yet. */
export type RefreshOutcome =
  | { kind: 'running' }
  | { kind: 'refreshed'; generation: number }
  | { kind: 'failed'; reason: Details['refresh-failed']['reason']; status: number | null; retryAt: number | null }
  | { kind: 'session-ended'; reason: Details['session-expired']['reason'] }
  /**
   * The cycle ended with the session still authenticated but no `token-refreshed`: under the lock
   * the worker found a newer token already stored, so it made no server call.
   */
  | { kind: 'not-needed' }
  /** The worker left the refreshing state without a result of its own (e.g. a logout mid-refresh). */
  | { kind: 'ended' };

/** One refresh cycle, as the worker announced it. */
export interface RefreshTimelineEntry {
  refreshId: string;
  /** The worker's clock when the cycle began; `null` if this tab opened after `refresh-started`. */
  startedAt: number | null;
  trigger: Details['refresh-started']['trigger'] | null;
  /** Requests that waited for this refresh; known once it ends. */
  waiters: number | null;
  /** Attempts so far (failed ones counted as they are announced). */
  attempts: number;
  durationMs: number | null;
  /** Each failed attempt: retried ones and, when the cycle gave up, the last. */
  failures: { attempt: number; reason: Details['refresh-failed']['reason']; status: number | null }[];
  outcome: RefreshOutcome;
}

/**
 * The refresh cycles of the session, built only from the worker's broadcasts (never from this
 * tab's own requests), so every tab that was open holds the same entries in the same order.
 */
export class RefreshTimeline {
  readonly #entries = new Map<string, RefreshTimelineEntry>();
  readonly #limit: number;

  /** @param limit entries kept; the oldest go first. */
  constructor(limit = 50) {
    this.#limit = limit;
  }

  /** Newest first. */
  entries(): RefreshTimelineEntry[] {
    return [...this.#entries.values()].reverse();
  }

  started(detail: Details['refresh-started']): void {
    const entry = this.#entry(detail.refreshId);
    entry.startedAt = detail.at;
    entry.trigger = detail.trigger;
  }

  refreshed(detail: Details['token-refreshed']): void {
    const entry = this.#entry(detail.refreshId);
    entry.trigger = detail.trigger;
    entry.waiters = detail.waiters;
    entry.attempts = detail.attempts;
    entry.durationMs = detail.durationMs;
    entry.outcome = { kind: 'refreshed', generation: detail.generation };
  }

  failed(detail: Details['refresh-failed']): void {
    const entry = this.#entry(detail.refreshId);
    entry.attempts = Math.max(entry.attempts, detail.attempt);
    entry.failures.push({ attempt: detail.attempt, reason: detail.reason, status: detail.status });
    entry.waiters = detail.waiters;
    if (detail.final) {
      entry.outcome = { kind: 'failed', reason: detail.reason, status: detail.status, retryAt: detail.retryAt };
      if (entry.startedAt !== null) entry.durationMs = Math.max(0, (detail.retryAt ?? entry.startedAt) - entry.startedAt);
    }
  }

  sessionExpired(detail: Details['session-expired']): void {
    if (detail.refreshId === null) return;
    this.#entry(detail.refreshId).outcome = { kind: 'session-ended', reason: detail.reason };
  }

  /**
   * Close cycles the worker stopped running without a result of their own. The worker announces
   * `state-changed` just before `token-refreshed` or `refresh-failed`, which then replace this.
   */
  stateChanged(detail: Details['state-changed']): void {
    if (detail.state === 'refreshing') return;
    for (const entry of this.#entries.values()) {
      if (entry.outcome.kind !== 'running' || entry.startedAt === null) continue;
      entry.outcome = detail.state === 'authenticated' ? { kind: 'not-needed' } : { kind: 'ended' };
    }
  }

  #entry(refreshId: string): RefreshTimelineEntry {
    let entry = this.#entries.get(refreshId);
    if (!entry) {
      entry = {
        refreshId,
        startedAt: null,
        trigger: null,
        waiters: null,
        attempts: 0,
        durationMs: null,
        failures: [],
        outcome: { kind: 'running' },
      };
      this.#entries.set(refreshId, entry);
      for (const oldest of this.#entries.keys()) {
        if (this.#entries.size <= this.#limit) break;
        this.#entries.delete(oldest);
      }
    }
    return entry;
  }
}
