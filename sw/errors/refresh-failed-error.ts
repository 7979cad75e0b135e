import { AuthProxyError } from './auth-proxy-error.js';

/** A refresh did not produce a token (network, server or malformed response); the stored tokens are kept. */
export class RefreshFailedError extends AuthProxyError {
  override readonly name = 'RefreshFailedError';
}

/** True for a `RefreshFailedError`, also one rebuilt from another realm. */
export function isRefreshFailedError(error: unknown): error is RefreshFailedError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'RefreshFailedError';
}
