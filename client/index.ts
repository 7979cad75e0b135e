/**
 * `sw-auth-proxy/client`: registers the worker and bridges its events to the page.
 * @module
 */
export { registerAuthProxy } from './register-auth-proxy.js';
export { AuthProxy } from './auth-proxy.js';
export type { RegisterAuthProxyOptions, ReadyInfo } from './auth-proxy.js';
export { AuthProxyEvent } from './auth-proxy-event.js';
export type { AuthProxyEventDetails, AuthProxyEventMap, AuthProxyEventType } from './auth-proxy-event.js';
export { connectWebSocket, AuthWebSocket } from './websocket.js';
export type { ConnectWebSocketOptions, WebSocketConstructor, WebSocketLike, WebSocketTimers } from './websocket.js';
export type { WebSocketCredentialSource } from './websocket-credential.js';
export { AuthWebSocketEvent } from './websocket-event.js';
export type {
  AuthWebSocketCloseReason,
  AuthWebSocketEventDetails,
  AuthWebSocketEventMap,
  AuthWebSocketEventType,
  AuthWebSocketState,
  ReconnectCause,
} from './websocket-event.js';
export { WebSocketAuthError, isWebSocketAuthError } from './errors/websocket-auth-error.js';
export { WebSocketUnavailableError, isWebSocketUnavailableError } from './errors/websocket-unavailable-error.js';
export { AuthProxyError, isAuthProxyError } from '../sw/errors/auth-proxy-error.js';
export { ProxyTimeoutError, isProxyTimeoutError } from '../sw/errors/proxy-timeout-error.js';
export { ProxyUnavailableError, isProxyUnavailableError } from '../sw/errors/proxy-unavailable-error.js';
export { RefreshFailedError, isRefreshFailedError } from '../sw/errors/refresh-failed-error.js';
export { SessionExpiredError, isSessionExpiredError } from '../sw/errors/session-expired-error.js';
export { TokenResponseError, isTokenResponseError } from '../sw/errors/token-response-error.js';
export type { AuthStatus, AuthState, AuthCounters, ReplaySkipReason, SessionEndReason } from '../sw/protocol.js';
