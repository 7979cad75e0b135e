/**
 * The demo's service worker: the whole integration is this one call. The config lives here, in
 * the script the server serves, so no page can change what receives the token.
 */
import { installAuthProxy } from '../../sw/index.js';

declare const self: ServiceWorkerGlobalScope;

installAuthProxy({
  protectedOrigins: [{ origin: self.location.origin, pathPrefixes: ['/api'] }],
  tokenEndpoints: ['/auth/login', '/auth/token'],
  refreshEndpoint: '/auth/token',
  clientId: 'demo-spa',
  revocationEndpoint: '/oauth/revoke',
  logoutEndpoint: '/auth/logout',
  // The demo's event streams ping every 2 s: one silent for 10 s has died without a close.
  eventStreams: { idleTimeoutMs: 10_000 },
});
