import type { IssuedTokens } from './oauth-responses.js';

/** What the first refresh with a key came to: tokens, or nothing (it failed or was faulted). */
type Outcome = IssuedTokens | undefined;

interface Entry {
  readonly refreshToken: string;
  readonly outcome: Promise<Outcome>;
  readonly expiresAt: number;
}

/** How long a key is remembered after its refresh arrived. */
const KEY_LIFETIME_MS = 60_000;

/**
 * `Idempotency-Key` support for refreshes (draft-ietf-httpapi-idempotency-key-header): a retry
 * that carries the key of an earlier refresh with the same refresh token gets that refresh's
 * result instead of spending the token a second time, which rotation would take for theft. The
 * retry waits if the first one is still being answered (a client that gave up on a slow server,
 * or a service worker stopped mid-refresh). A first attempt that produced no tokens frees its key.
 */
export class IdempotentRefreshes {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The result of an earlier refresh with this key and token, if there is one to reuse. */
  async reuse(key: string, refreshToken: string): Promise<IssuedTokens | undefined> {
    this.#expire();
    const entry = this.#entries.get(key);
    if (!entry || entry.refreshToken !== refreshToken) return undefined;
    return entry.outcome;
  }

  /**
   * Register the first refresh with `key`, before it runs (so a retry arriving meanwhile waits for
   * it). Call the returned function with its tokens, or with nothing when it failed.
   */
  begin(key: string, refreshToken: string): (outcome: Outcome) => void {
    let settle!: (outcome: Outcome) => void;
    const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
    this.#entries.set(key, { refreshToken, outcome, expiresAt: this.#now() + KEY_LIFETIME_MS });
    return (result) => {
      if (result === undefined) this.#entries.delete(key);
      settle(result);
    };
  }

  clear(): void {
    this.#entries.clear();
  }

  #expire(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
