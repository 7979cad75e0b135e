import { AuthProxyError } from '../../sw/errors/auth-proxy-error.js';

/**
 * A WebSocket connection could not be made or kept: a credential endpoint that failed, a handshake
 * that timed out, or, once `maxAttempts` reconnects in a row failed, the reason the socket gave up.
 */
export class WebSocketUnavailableError extends AuthProxyError {
  override readonly name = 'WebSocketUnavailableError';
}

/** True for a `WebSocketUnavailableError`, also one from another realm. */
export function isWebSocketUnavailableError(error: unknown): error is WebSocketUnavailableError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'WebSocketUnavailableError';
}
