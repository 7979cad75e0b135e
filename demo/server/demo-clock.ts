/** The largest shift accepted either way: a century keeps every shifted time a valid `Date`. */
export const MAX_CLOCK_OFFSET_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/**
 * The server's wall clock: the injected `now()` plus an offset that `CLOCK_OFFSET_MS` sets at start
 * and `POST /demo/clock` changes at run time. Everything that reads the time (JWT `iat`/`exp`,
 * expiry checks, refresh-token and code lifetimes, the logs, the HTTP `Date` header) reads this, so
 * a shifted server is consistent with itself and only disagrees with its clients, which is the
 * clock-skew case the worker must survive.
 *
 * @example
 * ```ts
 * const clock = new DemoClock(Date.now, 0);
 * clock.setOffset(5 * 60_000); // the server now runs five minutes ahead
 * new Date(clock.now()).toUTCString();
 * ```
 */
export class DemoClock {
  readonly #base: () => number;
  readonly #initialOffsetMs: number;
  #offsetMs: number;

  constructor(base: () => number, offsetMs: number) {
    this.#base = base;
    this.#initialOffsetMs = validateClockOffset(offsetMs, 'clockOffsetMs');
    this.#offsetMs = this.#initialOffsetMs;
  }

  /** Milliseconds since the epoch on the shifted clock; a bound function, safe to pass around. */
  readonly now = (): number => this.#base() + this.#offsetMs;

  /** The current shift in milliseconds (negative: the server runs behind). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Shifts the clock to `offsetMs` from the injected `now()` (not cumulative). */
  setOffset(offsetMs: number): void {
    this.#offsetMs = validateClockOffset(offsetMs, 'offsetMs');
  }

  /**
   * Back to the offset the server started with (`POST /demo/reset`), so a test that shifts the
   * clock cannot leak the shift into the next one.
   */
  reset(): void {
    this.#offsetMs = this.#initialOffsetMs;
  }
}

/** Returns `value` if it is an integer offset within {@link MAX_CLOCK_OFFSET_MS}; throws otherwise. */
export function validateClockOffset(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > MAX_CLOCK_OFFSET_MS) {
    throw new RangeError(
      `Failed to set the clock: ${name} must be an integer number of milliseconds within ±${MAX_CLOCK_OFFSET_MS}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Reads `CLOCK_OFFSET_MS` (a signed integer, e.g. `-300000` for a server five minutes behind).
 *
 * @example
 * ```ts
 * parseClockOffset('-300000'); // -300000
 * ```
 */
export function parseClockOffset(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) {
    throw new Error(`Failed to read CLOCK_OFFSET_MS: "${text}" is not an integer number of milliseconds`);
  }
  return validateClockOffset(Number(text), 'CLOCK_OFFSET_MS');
}
