import type { DemoStats } from '../demo/server/demo-control-routes.js';
import type { RefreshLogEntry } from '../demo/server/refresh-log.js';
import { spawnServerProcess } from '../demo/server/spawn-server-process.js';

/** The bench server process, from the runner's side. */
export interface BenchServer {
  /** `http://localhost:<port>`, no trailing slash. */
  readonly origin: string;
  stats(): Promise<DemoStats>;
  /** Every refresh call since the last reset, with its arrival time (epoch ms) and outcome. */
  refreshLog(): Promise<RefreshLogEntry[]>;
  /** Counters zero, every token forgotten. */
  reset(): Promise<void>;
  /** `POST /demo/expire`: every access token issued so far stops working; refresh tokens still do. */
  expireAccessTokens(): Promise<void>;
  /** A fresh access token from `POST /auth/login`, for arms that attach their own. */
  login(): Promise<string>;
  stop(): Promise<void>;
}

/** What differs between the bench's servers. */
export interface BenchServerOptions {
  /**
   * Access-token lifetime in seconds.
   * @default 3600, so nothing expires by itself
   */
  accessTokenTtl?: number;
  /**
   * The proxy arm's `refreshAhead.minMs`.
   * @default the worker's default
   */
  refreshAheadMinMs?: number;
}

/**
 * Starts `bench/bench-server-main.ts` in its own process on a free port and waits for its URL.
 * The process also ends when the runner dies (its stdin closes), so no server outlives a bench.
 */
export async function startBenchServer(distDir: string, options: BenchServerOptions = {}): Promise<BenchServer> {
  const { origin, stop } = await spawnServerProcess('bench/bench-server-main.ts', {
    BENCH_DIST: distDir,
    ACCESS_TOKEN_TTL: String(options.accessTokenTtl ?? 3600),
    ...(options.refreshAheadMinMs === undefined ? {} : { BENCH_REFRESH_AHEAD_MIN_MS: String(options.refreshAheadMinMs) }),
  });

  const call = async (method: string, path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(origin + path, { method, ...init });
    if (!response.ok) throw new Error(`Failed to call the bench server: ${method} ${path} answered ${response.status}`);
    return response;
  };
  return {
    origin,
    stats: async () => (await call('GET', '/demo/stats')).json() as Promise<DemoStats>,
    refreshLog: async () => (await call('GET', '/demo/refresh-log')).json() as Promise<RefreshLogEntry[]>,
    reset: async () => void (await call('POST', '/demo/reset')),
    expireAccessTokens: async () => void (await call('POST', '/demo/expire')),
    login: async () => {
      const response = await call('POST', '/auth/login', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: 'secret' }),
      });
      return ((await response.json()) as { access_token: string }).access_token;
    },
    stop,
  };
}
