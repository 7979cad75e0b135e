import { deferred, type Deferred } from './deferred.js';

/**
 * A `sleep` to inject into the Refresher: records every delay it is asked for and resolves at once,
 * or, with `hold()`, keeps the next sleeps pending until the test releases them.
 */
export function recordedSleep(): {
  sleep: (ms: number) => Promise<void>;
  readonly delays: number[];
  /** From now on, sleeps stay pending until released through `pending`. */
  hold(): void;
  readonly pending: Deferred<void>[];
} {
  const delays: number[] = [];
  const pending: Deferred<void>[] = [];
  let holding = false;
  return {
    sleep: (ms) => {
      delays.push(ms);
      if (!holding) return Promise.resolve();
      const wait = deferred();
      pending.push(wait);
      return wait.promise;
    },
    delays,
    hold() {
      holding = true;
    },
    pending,
  };
}
