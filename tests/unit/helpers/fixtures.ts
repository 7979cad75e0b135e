import type { AuthProxyConfig, ResolvedConfig } from '../../../sw/config.js';
import { resolveConfig } from '../../../sw/resolve-config.js';
import type { BroadcastEventMap, BroadcastType, RefreshTrigger } from '../../../sw/protocol.js';
import type { TokenSet } from '../../../sw/token-response.js';

export const APP_ORIGIN = 'https://app.example.com';
export const WORKER_URL = `${APP_ORIGIN}/auth-sw.js`;
export const API_ORIGIN = 'https://api.example.com';
export const LOGIN_ENDPOINT = `${APP_ORIGIN}/auth/login`;
export const TOKEN_ENDPOINT = 'https://auth.example.com/oauth/token';

/** A database name no other test uses, so every test starts from an empty IndexedDB. */
export function uniqueDatabaseName(): string {
  return `sw-auth-proxy-test-${crypto.randomUUID()}`;
}

/** Options to change in `testConfig`; `undefined` removes a default. */
export type ConfigOverrides = { [K in keyof AuthProxyConfig]?: AuthProxyConfig[K] | undefined };

/**
 * A validated config like an app would write: the API below `/api` on its own origin, a login
 * endpoint on the app, an OAuth token endpoint that also refreshes. Each call gets its own database.
 */
export function testConfig(overrides: ConfigOverrides = {}): ResolvedConfig {
  return resolveConfig(
    {
      protectedOrigins: [{ origin: API_ORIGIN, pathPrefixes: ['/api'] }],
      tokenEndpoints: [LOGIN_ENDPOINT, TOKEN_ENDPOINT],
      refreshEndpoint: TOKEN_ENDPOINT,
      clientId: 'demo-spa',
      databaseName: uniqueDatabaseName(),
      ...overrides,
    },
    WORKER_URL,
  );
}

/** A parsed token response received now, with no known lifetime unless `expiresAt` is given. */
export function tokenSet(overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: 'at-1',
    refreshToken: 'rt-1',
    issuedAt: Date.now(),
    expiresAt: null,
    scope: null,
    serverTimeOffsetMs: 0,
    ...overrides,
  };
}

/** What started a refresh, as the fetch handler would describe a request of `client-1`. */
export function refreshTrigger(kind: RefreshTrigger['kind'] = 'unauthorized'): RefreshTrigger {
  return { kind, clientId: 'client-1', method: 'GET', url: `${API_ORIGIN}/api/me` };
}

export interface Announcement {
  type: BroadcastType;
  payload: unknown;
}

/** An `announce` function that records what would have been broadcast. */
export function recordAnnouncements(): {
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
  all: Announcement[];
  of: <K extends BroadcastType>(type: K) => BroadcastEventMap[K][];
  types: () => BroadcastType[];
} {
  const all: Announcement[] = [];
  return {
    announce: (type, payload) => {
      all.push({ type, payload });
    },
    all,
    of: <K extends BroadcastType>(type: K) => all.filter((a) => a.type === type).map((a) => a.payload as BroadcastEventMap[K]),
    types: () => all.map((a) => a.type),
  };
}
