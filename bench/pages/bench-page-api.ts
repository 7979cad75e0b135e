/**
 * The wire between the bench runner (Node, through `page.evaluate`) and a bench page. Types only:
 * the runner and the page are built separately and share nothing at run time.
 */

/** How a storm tab calls the API. */
export type StormClient =
  /** Plain `fetch`; the controlling sw-auth-proxy attaches, refreshes and replays. */
  | 'proxy'
  /** `axios` with the real `axios-auth-refresh` interceptor as its README sets it up, tokens in `localStorage`. */
  | 'axios'
  /** The same with `deduplicateRefresh: false`, which also retries requests that failed mid-refresh. */
  | 'axios-no-dedupe'
  /** A fetch wrapper that refreshes on every 401 and retries once, tokens in `localStorage`. */
  | 'naive'
  /**
   * The floor: plain `fetch` with the stored, still valid token under the bare pass-through
   * worker, no expiry. What the browser itself does with T×R requests through one worker.
   */
  | 'floor';

/** One latency run: `count` GETs of `<path>/<i>`, at most `concurrency` in flight. */
export interface LatencyRunOptions {
  path: string;
  count: number;
  concurrency: number;
  /** Sent as the `Authorization` header; `null` sends none (the proxy attaches its own). */
  authorization: string | null;
  /** Keep each request's latency (off for the 50k-request memory run). */
  recordLatencies: boolean;
}

export interface LatencyRunResult {
  /** Milliseconds from `fetch()` to the body read, in request order; empty unless recorded. */
  latencies: number[];
  /** Requests that did not end in a 200. */
  failures: number;
  /** Wall time of the whole run in milliseconds. */
  elapsedMs: number;
}

/** Steady traffic: one GET of `<path>/<i>` every `intervalMs`, whether or not the last one answered. */
export interface SteadyRunOptions {
  path: string;
  durationMs: number;
  intervalMs: number;
}

export interface SteadyRunResult {
  /** When each request was fired, `performance.timeOrigin + performance.now()` (epoch ms, sub-ms). */
  startedAt: number[];
  /** Milliseconds from `fetch()` to the body read, in request order. */
  latencies: number[];
  /** Final status of each request; `0` is a network error. */
  statuses: number[];
}

export interface StormOptions {
  client: StormClient;
  /** Concurrent GETs this tab fires when the storm starts. */
  requests: number;
  /** A tab gives up on requests still open after this long (they count as failed). */
  deadlineMs: number;
}

export interface StormTabResult {
  ok: number;
  failed: number;
  /** Final status → count; `0` is a network error, `-1` still open at the deadline. */
  statuses: Record<string, number>;
  /** `performance.timeOrigin + performance.now()` when this tab fired (epoch ms, sub-ms). */
  startedAt: number;
  /** The same clock when this tab's last request settled. */
  settledAt: number;
}

/** What a bench page offers on `window.bench`. */
export interface BenchPageApi {
  /** Register a worker with scope `./` and resolve once it controls this page. */
  useWorker(scriptUrl: string): Promise<void>;
  /** Whether a worker controls this page, and how many registrations the origin has. */
  workerState(): Promise<{ controlled: boolean; registrations: number }>;
  /** `POST /auth/login`; returns the status. With the proxy in front, it captures the tokens. */
  login(): Promise<number>;
  /** `POST /auth/login` and keep the tokens in `localStorage`, as a token-holding SPA does. */
  loginToLocalStorage(): Promise<void>;
  runLatency(options: LatencyRunOptions): Promise<LatencyRunResult>;
  runSteady(options: SteadyRunOptions): Promise<SteadyRunResult>;
  /** Get ready to storm on the next `go` (from this tab or another one of the origin). */
  armStorm(options: StormOptions): void;
  /** Start the storm in every armed tab of the origin; returns this tab's start time. */
  goStorm(): number;
  /** This tab's storm outcome, once every request of it settled. */
  stormResult(): Promise<StormTabResult>;
}

declare global {
  interface Window {
    bench: BenchPageApi;
  }
}
