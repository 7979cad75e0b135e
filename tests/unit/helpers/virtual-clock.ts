import { abortReason, type Environment } from '../../../sw/environment.js';

interface Timer {
  at: number;
  order: number;
  fire: () => void;
}

/** Let every promise chain that can move, move (the world it drives must not wait on real I/O). */
export const quiesce = (): Promise<void> =>
  new Promise((resolve) => (globalThis as unknown as { setImmediate(callback: () => void): void }).setImmediate(resolve));

/**
 * Time that moves only when the test says so: `now`, `sleep` and `timeout` of an `Environment`,
 * with `advance(ms)` firing every timer due on the way, in order, and letting the world settle
 * after each.
 */
export class VirtualClock {
  now: number;
  readonly #timers: Timer[] = [];
  #order = 0;

  constructor(start: number) {
    this.now = start;
  }

  /** Run `fire` at `now + ms`; returns a cancel function. */
  schedule(ms: number, fire: () => void): () => void {
    const timer: Timer = { at: this.now + Math.max(0, ms), order: this.#order++, fire };
    this.#timers.push(timer);
    return () => {
      const index = this.#timers.indexOf(timer);
      if (index >= 0) this.#timers.splice(index, 1);
    };
  }

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const cancel = this.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  readonly timeout = (ms: number): AbortSignal => {
    const controller = new AbortController();
    this.schedule(ms, () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')));
    return controller.signal;
  };

  /** Move time forward by `ms`, firing due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    await quiesce();
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.now = Math.max(this.now, next.at);
      next.fire();
      await quiesce();
    }
    this.now = until;
    await quiesce();
  }

  /** The clock and timers of an `Environment`. */
  get env(): Pick<Environment, 'now' | 'sleep' | 'timeout'> {
    return { now: () => this.now, sleep: this.sleep, timeout: this.timeout };
  }
}
