/** The slice of the Web Locks API the session needs: an exclusive lock, queued, with a bounded wait. */
export interface LockRunner {
  /**
   * Run `callback` holding the lock `name`. With `signal`, stop waiting for the lock when it aborts
   * (the promise rejects with the signal's reason and `callback` never runs).
   */
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T>;
}

/**
 * Everything the session logic takes from its surroundings, behind one narrow interface, so the
 * same logic runs in a service worker, in a page, and in a model-based test on a virtual clock.
 * IndexedDB is behind `SessionStorage` (session-storage.ts) and BroadcastChannel behind
 * `Broadcaster`: each is handed to the session by whoever builds it.
 */
export interface Environment {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; with `signal`, rejects with its reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts with a `TimeoutError` `DOMException` after `ms` (for network calls). */
  timeout(ms: number): AbortSignal;
  /** Uniform in [0, 1): jitter. */
  random(): number;
  /** `null` where the context has no Web Locks: one worker then serialises only itself. */
  readonly locks: LockRunner | null;
  readonly fetch: typeof fetch;
}

/** Why `signal` aborted, as an Error (its reason is one unless someone aborted with a non-error). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real one: the global clock, timers, `navigator.locks` and `fetch` of this context. */
export function globalEnvironment(): Environment {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return {
    now: () => Date.now(),
    sleep,
    timeout: (ms) => AbortSignal.timeout(ms),
    random: () => Math.random(),
    locks: locks ? { request: async (name, options, callback) => await locks.request(name, options, callback) } : null,
    // Called through the global each time, so a test (or the page engine) that replaces it is seen.
    fetch: (input, init) => globalThis.fetch(input, init),
  };
}
