/**
 * `sw-auth-proxy/client`: registers the worker and bridges its events to the page.
 * (The WebSocket helper is its own entry, `sw-auth-proxy/websocket`, so pages without sockets
 * do not ship it.)
 * @module
 */
export { registerAuthProxy } from './register-auth-proxy.js';
export { AuthProxy } from './auth-proxy.js';
export type { RegisterAuthProxyOptions, ReadyInfo } from './auth-proxy.js';
export { AuthProxyEvent } from './auth-proxy-event.js';
export type { AuthProxyEventDetails, AuthProxyEventMap, AuthProxyEventType } from './auth-proxy-event.js';
export { AuthProxyError, isAuthProxyError } from '../sw/errors/auth-proxy-error.js';
export { CorsError, isCorsError } from '../sw/errors/cors-error.js';
export { ProxyTimeoutError, isProxyTimeoutError } from '../sw/errors/proxy-timeout-error.js';
export { ProxyUnavailableError, isProxyUnavailableError } from '../sw/errors/proxy-unavailable-error.js';
export { RefreshFailedError, isRefreshFailedError } from '../sw/errors/refresh-failed-error.js';
export { SessionExpiredError, isSessionExpiredError } from '../sw/errors/session-expired-error.js';
export { SessionStoreError, isSessionStoreError } from '../sw/errors/session-store-error.js';
export { DpopError, isDpopError } from '../sw/errors/dpop-error.js';
export { RedirectRefusedError, isRedirectRefusedError } from '../sw/errors/redirect-refused-error.js';
export { TokenResponseError, isTokenResponseError } from '../sw/errors/token-response-error.js';
export type { AuthStatus, AuthState, AuthCounters, ReplaySkipReason, SessionEndReason } from '../sw/protocol.js';
