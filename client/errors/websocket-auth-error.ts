import { AuthProxyError } from '../../sw/errors/auth-proxy-error.js';

/**
 * The WebSocket's credential was refused twice in a row (an auth close code such as 4401, or the
 * ticket endpoint answering 401/403 after the proxy's own refresh): the session is over, so the
 * socket stays closed. A custom credential source throws it to say "not signed in".
 */
export class WebSocketAuthError extends AuthProxyError {
  override readonly name = 'WebSocketAuthError';
}

/** True for a `WebSocketAuthError`, also one from another realm. */
export function isWebSocketAuthError(error: unknown): error is WebSocketAuthError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'WebSocketAuthError';
}
