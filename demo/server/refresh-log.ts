import type { RefreshOutcome } from './session-store.js';

/** What one refresh call came to. */
export type RefreshLogOutcome =
  /** Still held by a `delayMs` fault without status; the real handler decides after the delay. */
  | 'pending'
  | 'rotated'
  /** Unknown, expired or revoked refresh token. */
  | 'invalid_grant'
  /** No refresh token at all (neither in the body nor in the cookie). */
  | 'invalid_request'
  /** A rotated token presented again: its family is revoked. */
  | 'reuse'
  /** A retry carrying the `Idempotency-Key` of an earlier refresh: answered with its result. */
  | 'idempotent-replay'
  /** A fault answered instead of the real handler. */
  | `fault:${number}`
  | 'fault:hang'
  | 'fault:drop';

/** One refresh call (`POST /auth/token` with `grant_type=refresh_token`), faulted ones included. */
export interface RefreshLogEntry {
  /** When the call arrived, in milliseconds on the server's (possibly shifted) clock. */
  readonly at: number;
  readonly outcome: RefreshLogOutcome;
}

/** A call in the log whose outcome may still be pending. */
export interface RefreshAttempt {
  /** Records what the call came to. */
  settle(outcome: RefreshLogOutcome): void;
}

/** The default number of entries kept. */
export const REFRESH_LOG_CAPACITY = 1000;

/**
 * Every refresh call with its arrival time and outcome, oldest first (`GET /demo/refresh-log`).
 * Tests read the spacing between attempts here (was Retry-After respected, was there a backoff)
 * instead of sleeping and counting.
 */
export class RefreshLog {
  readonly #entries: { at: number; outcome: RefreshLogOutcome }[] = [];
  readonly #capacity: number;

  constructor(capacity: number = REFRESH_LOG_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Logs a call that arrived at `at`, outcome pending until the attempt is settled. */
  begin(at: number): RefreshAttempt {
    const entry: { at: number; outcome: RefreshLogOutcome } = { at, outcome: 'pending' };
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    return {
      settle: (outcome) => {
        entry.outcome = outcome;
      },
    };
  }

  /** A copy, oldest first. */
  entries(): RefreshLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  /** Empties the log. Attempts still in flight settle into entries nobody sees any more. */
  clear(): void {
    this.#entries.length = 0;
  }
}

/** The log outcome of what the session store said about a presented refresh token. */
export function refreshLogOutcome(outcome: RefreshOutcome): RefreshLogOutcome {
  switch (outcome.kind) {
    case 'rotated':
      return 'rotated';
    case 'reused':
      return 'reuse';
    case 'revoked':
    case 'expired':
    case 'unknown':
      return 'invalid_grant';
    default:
      return assertNever(outcome);
  }
}

function assertNever(value: never): never {
  throw new Error(`Failed to log refresh outcome: ${JSON.stringify(value)}`);
}
