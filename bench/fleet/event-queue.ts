/** Payloads fit below this; the time goes above it in the same number. */
const PAYLOAD_SPAN = 2 ** 20;
/** Times stay exact in a double up to here (2^53 / PAYLOAD_SPAN ms: about 272 years). */
const MAX_TIME = 2 ** 33;

/**
 * The virtual clock's agenda: a binary min-heap of events, each an integer time (ms) and an
 * integer payload, with no real timers. Both live in one double (time × 2^20 + payload), so the
 * heap is one typed array and a comparison is one `<`: 100,000 sessions push millions of events.
 * Events due at the same millisecond come out by payload, smallest first: a fixed order, so a run
 * never depends on how the heap happens to arrange them.
 */
export class EventQueue {
  #keys = new Float64Array(1 << 16);
  #size = 0;
  #now = 0;

  /** The largest payload the queue can carry, plus one. */
  static readonly payloadSpan = PAYLOAD_SPAN;

  get size(): number {
    return this.#size;
  }

  /** The time of the event `pop` returned last: the clock. */
  get now(): number {
    return this.#now;
  }

  push(time: number, payload: number): void {
    if (!Number.isInteger(time) || time < 0 || time >= MAX_TIME)
      throw new RangeError(`Failed to schedule: time ${time} is not a whole ms in range`);
    if (!Number.isInteger(payload) || payload < 0 || payload >= PAYLOAD_SPAN)
      throw new RangeError(`Failed to schedule: payload ${payload} out of range`);
    if (this.#size === this.#keys.length) {
      const bigger = new Float64Array(this.#keys.length * 2);
      bigger.set(this.#keys);
      this.#keys = bigger;
    }
    const keys = this.#keys;
    const key = time * PAYLOAD_SPAN + payload;
    let index = this.#size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[index] = keys[parent]!;
      index = parent;
    }
    keys[index] = key;
  }

  /** Take the earliest event and move the clock to it; returns its payload. */
  pop(): number {
    if (this.#size === 0) throw new Error('Failed to take an event: the queue is empty');
    const keys = this.#keys;
    const top = keys[0]!;
    const last = --this.#size;
    if (last > 0) {
      // Sift the last entry down from the root.
      const key = keys[last]!;
      let index = 0;
      for (;;) {
        let child = 2 * index + 1;
        if (child >= last) break;
        if (child + 1 < last && keys[child + 1]! < keys[child]!) child++;
        if (keys[child]! >= key) break;
        keys[index] = keys[child]!;
        index = child;
      }
      keys[index] = key;
    }
    const payload = top % PAYLOAD_SPAN;
    this.#now = (top - payload) / PAYLOAD_SPAN;
    return payload;
  }
}
