import type { WireError } from '../protocol.js';

/**
 * Base class of every error sw-auth-proxy throws or reports. Messages read
 * "Failed to <action>: <reason>" and never contain a token.
 */
export class AuthProxyError extends Error {
  override name: string = 'AuthProxyError';

  /** The shape that crosses the page/worker boundary. */
  toWire(): WireError {
    return { name: this.name, message: this.message };
  }
}

/** True for any sw-auth-proxy error, also one made in another realm (a worker, an iframe). */
export function isAuthProxyError(error: unknown): error is AuthProxyError {
  return (
    error instanceof AuthProxyError ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as { name?: unknown }).name === 'string' &&
      ERROR_NAMES.includes((error as { name: string }).name))
  );
}

/** Every error name this package uses, so errors rebuilt from the wire are recognised. */
const ERROR_NAMES: readonly string[] = [
  'AuthProxyError',
  'ConfigError',
  'CorsError',
  'DpopError',
  'ProxyTimeoutError',
  'ProxyUnavailableError',
  'RedirectRefusedError',
  'RefreshFailedError',
  'SessionExpiredError',
  'SessionStoreError',
  'TokenResponseError',
  'WebSocketAuthError',
  'WebSocketUnavailableError',
];
