import { abortReason } from './environment.js';

/**
 * At most `limit` holders at a time; the others wait their turn, first come first served.
 *
 * The fetch handler takes a slot per send (held until the response headers are in, never while
 * waiting for a refresh or a retry delay) and reads the token after, so a request that waited
 * for its turn is sent with the token current when it goes out.
 *
 * @example
 * ```ts
 * const slots = new RequestSlots(256);
 * const release = await slots.take();
 * try {
 *   return await fetch(request);
 * } finally {
 *   release();
 * }
 * ```
 */
export class RequestSlots {
  #free: number;
  readonly #queue: (() => void)[] = [];

  /** @param limit a positive whole number */
  constructor(limit: number) {
    this.#free = limit;
  }

  /** Whether a `take` now would wait its turn. */
  get full(): boolean {
    return this.#free === 0;
  }

  /**
   * Resolves with the function that gives the slot back; call it exactly once. A request whose
   * `signal` aborts while it waits leaves the queue and rejects with the signal's reason.
   */
  async take(signal?: AbortSignal | null): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#free > 0) this.#free--;
    else await this.#enqueue(signal ?? null);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next in line, so a newcomer cannot take it first.
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
  }

  #enqueue(signal: AbortSignal | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const index = this.#queue.indexOf(turn);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(abortReason(signal!));
      };
      this.#queue.push(turn);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
