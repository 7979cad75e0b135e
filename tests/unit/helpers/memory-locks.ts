import type { LockRunner } from '../../../sw/environment.js';
import { deferred } from './deferred.js';

/**
 * An in-memory Web Locks stand-in that really queues: each request for a name runs after the
 * previous one for that name has settled (a promise chain), like `navigator.locks.request`.
 */
export class MemoryLocks implements LockRunner {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #waiters: { count: number; resolve: () => void }[] = [];
  #active = 0;
  /** How many `request` calls were made, granted or not. */
  requests = 0;
  /** The most callbacks that ever ran at once; 1 if the lock did its job. */
  maxActive = 0;

  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T> {
    this.requests++;
    const { signal } = options;
    for (const waiter of this.#waiters.filter((w) => w.count <= this.requests)) waiter.resolve();
    let granted = false;
    const run = async (): Promise<T> => {
      // Like navigator.locks: a request whose signal aborted while it queued never runs, and one
      // already granted is not interrupted.
      signal?.throwIfAborted();
      granted = true;
      this.#active++;
      this.maxActive = Math.max(this.maxActive, this.#active);
      try {
        return await callback();
      } finally {
        this.#active--;
      }
    };
    const queued = (this.#tails.get(name) ?? Promise.resolve()).then(run);
    const result = signal
      ? Promise.race([
          queued,
          new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => granted || reject(signal.reason), { once: true });
          }),
        ])
      : queued;
    this.#tails.set(
      name,
      queued.catch(() => undefined),
    );
    return result;
  }

  /** Resolves once `count` requests have been made in total (the last may still be queued). */
  requested(count: number): Promise<void> {
    const done = deferred();
    if (this.requests >= count) done.resolve();
    else this.#waiters.push({ count, resolve: () => done.resolve() });
    return done.promise;
  }

  /** Take the lock as "another worker" would, and keep it until `release()`. */
  hold(name: string): { granted: Promise<void>; release: () => void } {
    const granted = deferred();
    const released = deferred();
    void this.request(name, {}, () => {
      granted.resolve();
      return released.promise;
    });
    return { granted: granted.promise, release: () => released.resolve() };
  }
}
