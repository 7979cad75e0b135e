/**
 * `sw-auth-proxy/sw`: for service workers you bundle yourself.
 * @module
 */
export { installAuthProxy } from './install-auth-proxy.js';
export type { AuthProxyHandle } from './install-auth-proxy.js';
export type {
  ApiRetryOptions,
  AuthProxyConfig,
  BackoffOptions,
  EventStreamOptions,
  ProtectedOrigin,
  RefreshAheadOptions,
  RefreshTokenStorage,
} from './config.js';
export { AuthProxyError, isAuthProxyError } from './errors/auth-proxy-error.js';
export { ConfigError, isConfigError } from './errors/config-error.js';
export { CorsError, isCorsError } from './errors/cors-error.js';
export { RefreshFailedError, isRefreshFailedError } from './errors/refresh-failed-error.js';
export { SessionExpiredError, isSessionExpiredError } from './errors/session-expired-error.js';
export { SessionStoreError, isSessionStoreError } from './errors/session-store-error.js';
export { DpopError, isDpopError } from './errors/dpop-error.js';
export { RedirectRefusedError, isRedirectRefusedError } from './errors/redirect-refused-error.js';
export { TokenResponseError, isTokenResponseError } from './errors/token-response-error.js';
export type { AuthStatus, AuthState, AuthCounters } from './protocol.js';
