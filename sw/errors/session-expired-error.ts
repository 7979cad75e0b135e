import { AuthProxyError } from './auth-proxy-error.js';

/** The server refused the refresh token; the session is over and the tokens were cleared. */
export class SessionExpiredError extends AuthProxyError {
  override readonly name = 'SessionExpiredError';
}

/** True for a `SessionExpiredError`, also one rebuilt from another realm. */
export function isSessionExpiredError(error: unknown): error is SessionExpiredError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SessionExpiredError';
}
