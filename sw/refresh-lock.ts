import type { LockRunner } from './environment.js';

/**
 * The one lock under which the session's refresh token is read, spent and replaced: every refresh
 * attempt and every logout, in every worker version (and page engine) of the origin. Web Locks
 * queue their requests instead of polling, and a lock held by a context that dies is released
 * by the browser.
 */
export class RefreshLock {
  readonly #locks: LockRunner | null;
  readonly #name: string;

  constructor(locks: LockRunner | null, databaseName: string) {
    this.#locks = locks;
    this.#name = `sw-auth-proxy:refresh:${databaseName}`;
  }

  /** Run `callback` holding the lock; with `signal`, give up waiting for it (rejects, `callback` never runs). */
  run<T>(callback: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!this.#locks) return callback();
    return this.#locks.request(this.#name, signal ? { signal } : {}, callback);
  }
}
