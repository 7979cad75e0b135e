/**
 * The demo server's `/demo/*` hooks the dashboard uses (see demo/server/demo-control-routes.ts).
 * Plain `fetch`: `/demo/*` is not a protected path, so the worker lets these through untouched.
 */

/** `GET /demo/stats`: counters since start or the last reset (see `DemoCounters`), and more. */
export type DemoStats = Record<string, number>;

/** A refresh fault, as `POST /demo/faults` takes it (a subset of the server's `FaultSpec`). */
export interface RefreshFault {
  target: 'refresh';
  status: number;
  count: number;
  retryAfter?: string;
}

/** A queued fault as `/demo/faults` lists it. */
export interface PendingFault {
  target: string;
  status?: number;
  count: number;
  remaining: number;
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, cache: 'no-store' };
  if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw new Error(`Failed to ${method} ${path}: the server answered ${response.status}`);
  return response;
}

/** The last DPoP proof the server accepted, as `GET /demo/dpop` describes it (never a token). */
export interface DpopProofSummary {
  htm: string;
  htu: string;
  iat: number;
  jkt: string;
  nonce: boolean;
}

export const demoHooks = {
  stats: async (): Promise<DemoStats> => (await call('GET', '/demo/stats')).json() as Promise<DemoStats>,
  /** Every access token issued so far stops working; refresh tokens still do. */
  expireAccessTokens: async (): Promise<void> => void (await call('POST', '/demo/expire')),
  /** Queue a fault; answers the whole queue. */
  injectFault: async (fault: RefreshFault): Promise<PendingFault[]> =>
    (await call('POST', '/demo/faults', fault)).json() as Promise<PendingFault[]>,
  pendingFaults: async (): Promise<PendingFault[]> => (await call('GET', '/demo/faults')).json() as Promise<PendingFault[]>,
  lastDpopProof: async (): Promise<DpopProofSummary | null> =>
    ((await (await call('GET', '/demo/dpop')).json()) as { lastProof: DpopProofSummary | null }).lastProof,
};
