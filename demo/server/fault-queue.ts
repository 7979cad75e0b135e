import type { FaultSpec, FaultTarget } from './fault-spec.js';

/** A queued fault as `GET /demo/faults` shows it: the posted fault plus how many uses are left. */
export interface PendingFault extends FaultSpec {
  readonly count: number;
  /** Matching requests this fault still applies to (`count` minus the ones it was applied to). */
  readonly remaining: number;
}

/**
 * The faults `POST /demo/faults` queued, first in, first out. Synchronous on purpose: two
 * concurrent requests can never take the same last use of a fault.
 */
export class FaultQueue {
  readonly #pending: { spec: FaultSpec & { readonly count: number }; remaining: number }[] = [];

  /** Appends faults in the order given. */
  enqueue(specs: readonly (FaultSpec & { readonly count: number })[]): void {
    for (const spec of specs) this.#pending.push({ spec, remaining: spec.count });
  }

  /**
   * Uses up one application of the oldest fault for `target` that matches `path` (the `path`
   * filter is checked for `api` faults only), or returns undefined if none does.
   */
  take(target: FaultTarget, path: string): FaultSpec | undefined {
    const index = this.#pending.findIndex(({ spec }) => spec.target === target && (spec.path === undefined || path.startsWith(spec.path)));
    const entry = this.#pending[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#pending.splice(index, 1);
    return entry.spec;
  }

  /** What is still queued, oldest first. */
  pending(): PendingFault[] {
    return this.#pending.map(({ spec, remaining }) => ({ ...spec, remaining }));
  }

  /** Forgets every queued fault (`POST /demo/reset`). */
  clear(): void {
    this.#pending.length = 0;
  }
}
