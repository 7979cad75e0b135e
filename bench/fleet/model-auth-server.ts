/** How the model server answers a refresh call beyond its capacity. */
export type OverloadAnswer = { status: 503 } | { status: 429; retryAfterSeconds: number };

export interface ModelAuthServerOptions {
  sessions: number;
  /** The run's length, for the per-second counters. */
  durationMs: number;
  /** Refresh calls served per second of the server's clock; the rest of that second's calls are shed. */
  capacityPerSecond: number;
  overload: OverloadAnswer;
  /** Unreachable in [fromMs, toMs): every call fails as a network error and nothing reaches the server. */
  outage?: { fromMs: number; toMs: number };
  /** In [fromMs, toMs) the server serves only `perSecond` (a degraded dependency). */
  reducedCapacity?: { fromMs: number; toMs: number; perSecond: number };
}

/** What a refresh call ended in, as the worker sees it. */
export type RefreshAnswer = 'ok' | 'network-error' | 'overloaded' | 'invalid-grant';

/**
 * An OAuth token endpoint with a capacity, refresh-token rotation and reuse detection.
 *
 * Capacity is counted per second of arrival: the first `capacityPerSecond` calls of a second are
 * served, the rest answered at once with 429 + Retry-After or 503 (load shedding, so no call waits
 * and the worker's `refreshTimeoutMs` never comes into play). Shedding is free here, which flatters
 * a client that hammers: a real server also spends work on what it turns away.
 *
 * Rotation: each session holds one live refresh token (its generation); presenting any other is
 * treated as theft and answered `invalid_grant`, which ends the session. A served call's answer
 * always arrives, so only a client that sends two refreshes for one token can trip this.
 */
export class ModelAuthServer {
  /** Calls that reached the server, per second (served or shed). */
  readonly arrivals: Int32Array;
  readonly served: Int32Array;
  readonly shed: Int32Array;
  /** Calls that failed as network errors during the outage, per second: they never reached it. */
  readonly unreachable: Int32Array;
  /** The `Retry-After` value of a shed call, as the header carries it; `null` when it sends none. */
  readonly retryAfterHeader: string | null;
  readonly #options: ModelAuthServerOptions;
  /** Per session: the generation of the one refresh token that may be spent. */
  readonly #generations: Int32Array;

  constructor(options: ModelAuthServerOptions) {
    this.#options = options;
    const seconds = Math.ceil(options.durationMs / 1000) + 1;
    this.arrivals = new Int32Array(seconds);
    this.served = new Int32Array(seconds);
    this.shed = new Int32Array(seconds);
    this.unreachable = new Int32Array(seconds);
    this.#generations = new Int32Array(options.sessions);
    this.retryAfterHeader = options.overload.status === 429 ? String(options.overload.retryAfterSeconds) : null;
  }

  /** The capacity at `atMs`. */
  capacityAt(atMs: number): number {
    const reduced = this.#options.reducedCapacity;
    return reduced && atMs >= reduced.fromMs && atMs < reduced.toMs ? reduced.perSecond : this.#options.capacityPerSecond;
  }

  /** A refresh call of `session` with the refresh token of `generation`, arriving at `atMs`. */
  refresh(session: number, generation: number, atMs: number): RefreshAnswer {
    const second = Math.floor(atMs / 1000);
    const outage = this.#options.outage;
    if (outage && atMs >= outage.fromMs && atMs < outage.toMs) {
      this.unreachable[second]!++;
      return 'network-error';
    }
    this.arrivals[second]!++;
    if (this.served[second]! >= this.capacityAt(atMs)) {
      this.shed[second]!++;
      return 'overloaded';
    }
    this.served[second]!++;
    if (this.#generations[session] !== generation) {
      // Reuse detection: the whole token family is revoked; nothing this session holds works again.
      this.#generations[session] = -1;
      return 'invalid-grant';
    }
    this.#generations[session] = generation + 1;
    return 'ok';
  }
}
