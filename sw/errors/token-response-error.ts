import { AuthProxyError } from './auth-proxy-error.js';

/** A token endpoint answered 2xx with something that is not a usable RFC 6749 token response. */
export class TokenResponseError extends AuthProxyError {
  override readonly name = 'TokenResponseError';
}

/** True for a `TokenResponseError`, also one rebuilt from another realm. */
export function isTokenResponseError(error: unknown): error is TokenResponseError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TokenResponseError';
}
