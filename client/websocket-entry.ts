/**
 * `sw-auth-proxy/websocket`: WebSockets with fresh credentials through the proxy. WebSocket
 * handshakes never reach a service worker, so this helper fetches a one-time ticket (through the
 * worker, which adds the bearer) before every connect.
 * @module
 */
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
