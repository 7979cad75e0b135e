import type { AuthState } from './protocol.js';

/** What can happen to the session. */
export type AuthEvent =
  | { type: 'logged-in' }
  | { type: 'refresh-started' }
  | { type: 'refresh-succeeded' }
  /** Every attempt of a refresh cycle failed (or the answer was malformed): pause until `until`. */
  | { type: 'refresh-gave-up'; until: number }
  | { type: 'session-ended' }
  | { type: 'logged-out' };

/**
 * The allowed moves. Anything not listed is ignored: for example a late `refresh-succeeded` after
 * a logout must not bring the session back.
 */
const MOVES: Record<AuthState, Partial<Record<AuthEvent['type'], AuthState>>> = {
  anonymous: { 'logged-in': 'authenticated' },
  authenticated: {
    'logged-in': 'authenticated',
    'refresh-started': 'refreshing',
    'session-ended': 'expired',
    'logged-out': 'anonymous',
  },
  refreshing: {
    'logged-in': 'authenticated',
    'refresh-succeeded': 'authenticated',
    'refresh-gave-up': 'backoff',
    'session-ended': 'expired',
    'logged-out': 'anonymous',
  },
  backoff: {
    'logged-in': 'authenticated',
    'refresh-started': 'refreshing',
    'refresh-succeeded': 'authenticated',
    'session-ended': 'expired',
    'logged-out': 'anonymous',
  },
  expired: { 'logged-in': 'authenticated', 'logged-out': 'anonymous' },
};

/**
 * The one place that decides what state the session is in and whether a refresh may start:
 * `anonymous → authenticated → refreshing → authenticated | backoff | expired`.
 *
 * Backoff ends by time, without a timer (a stopped worker runs none): the state reads as
 * `authenticated` again once `blockedUntil` has passed.
 */
export class AuthStateMachine {
  #state: AuthState;
  #blockedUntil: number;
  readonly #onChange: (state: AuthState, previous: AuthState) => void;

  constructor(initial: AuthState, blockedUntil: number, onChange: (state: AuthState, previous: AuthState) => void = () => {}) {
    this.#state = initial;
    this.#blockedUntil = blockedUntil;
    this.#onChange = onChange;
  }

  /** The state now; `backoff` turns into `authenticated` when its time is up. */
  state(now = Date.now()): AuthState {
    if (this.#state === 'backoff' && now >= this.#blockedUntil) this.#move('authenticated');
    return this.#state;
  }

  /** Until when refreshing is paused (epoch ms); 0 when it is not. */
  get blockedUntil(): number {
    return this.#state === 'backoff' ? this.#blockedUntil : 0;
  }

  /** A refresh may start: there is a session, and no pause is in force. */
  mayRefresh(now = Date.now()): boolean {
    const state = this.state(now);
    return state === 'authenticated' || state === 'refreshing';
  }

  /**
   * Adopt the state the stored session implies: at start-up, and when another worker of the origin
   * says it changed the session (the store is re-read rather than the message trusted). A refresh
   * under way here stays `refreshing`.
   *
   * Silent: the tabs already heard of this state from the worker that entered it. Announcing it
   * would tell every tab "anonymous → authenticated" each time the browser restarts an idle worker,
   * and the status requests that news prompts keep an old worker version busy, which holds off
   * the activation of a new one.
   */
  restore(record: { tokens: unknown; ended: 'logged-out' | 'expired' | null; refreshBlockedUntil: number }, now = Date.now()): void {
    const state: AuthState = record.tokens
      ? record.refreshBlockedUntil > now
        ? 'backoff'
        : 'authenticated'
      : record.ended === 'expired'
        ? 'expired'
        : 'anonymous';
    this.#blockedUntil = record.refreshBlockedUntil;
    if (this.#state === 'refreshing' && state === 'authenticated') return;
    this.#state = state;
  }

  /** Apply an event; returns whether it changed the state. */
  send(event: AuthEvent): boolean {
    const next = MOVES[this.#state][event.type];
    if (event.type === 'refresh-gave-up' && next !== undefined) this.#blockedUntil = event.until;
    if (next === undefined || next === this.#state) return false;
    this.#move(next);
    return true;
  }

  #move(next: AuthState): void {
    const previous = this.#state;
    this.#state = next;
    this.#onChange(next, previous);
  }
}
