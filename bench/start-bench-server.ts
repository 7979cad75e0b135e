import type { DemoStats } from '../demo/server/demo-control-routes.js';
import { spawnServerProcess } from '../demo/server/spawn-server-process.js';

/** The bench server process, from the runner's side. */
export interface BenchServer {
  /** `http://localhost:<port>`, no trailing slash. */
  readonly origin: string;
  stats(): Promise<DemoStats>;
  /** Counters zero, every token forgotten. */
  reset(): Promise<void>;
  /** `POST /demo/expire`: every access token issued so far stops working; refresh tokens still do. */
  expireAccessTokens(): Promise<void>;
  /** A fresh access token from `POST /auth/login`, for arms that attach their own. */
  login(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `bench/bench-server-main.ts` in its own process on a free port and waits for its URL.
 * The process also ends when the runner dies (its stdin closes), so no server outlives a bench.
 */
export async function startBenchServer(distDir: string): Promise<BenchServer> {
  const { origin, stop } = await spawnServerProcess('bench/bench-server-main.ts', { BENCH_DIST: distDir, ACCESS_TOKEN_TTL: '3600' });

  const call = async (method: string, path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(origin + path, { method, ...init });
    if (!response.ok) throw new Error(`Failed to call the bench server: ${method} ${path} answered ${response.status}`);
    return response;
  };
  return {
    origin,
    stats: async () => (await call('GET', '/demo/stats')).json() as Promise<DemoStats>,
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
