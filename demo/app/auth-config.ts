/**
 * The demo's auth config, in one module that both sides import: the worker script (where it is the
 * config, and no page can change it) and the page (which uses it only in page mode, where no worker
 * can take the page). One module keeps the two in step: the same protected URLs, store and lock.
 */
import type { AuthProxyConfig } from '../../sw/index.js';

export const demoAuthConfig: AuthProxyConfig = {
  // `location` is the worker's script URL in the worker and the page's URL in the page: same origin.
  protectedOrigins: [{ origin: location.origin, pathPrefixes: ['/api'] }],
  tokenEndpoints: ['/auth/login', '/auth/token'],
  refreshEndpoint: '/auth/token',
  clientId: 'demo-spa',
  revocationEndpoint: '/oauth/revoke',
  logoutEndpoint: '/auth/logout',
  // The demo's event streams ping every 2 s: one silent for 10 s has died without a close.
  eventStreams: { idleTimeoutMs: 10_000 },
};
