/**
 * At most `limit` holders at a time; the others wait their turn, first come first served.
 *
 * The fetch handler takes a slot per protected request before it reads the token, so a request
 * that waited for its turn is sent with the token current when it goes out.
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

  /** Resolves with the function that gives the slot back; call it exactly once. */
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
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
}
