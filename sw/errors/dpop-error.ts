import { AuthProxyError } from './auth-proxy-error.js';

/**
 * A DPoP exchange (RFC 9449) the worker cannot complete because of how the server answers: it asks
 * for its nonce (`use_dpop_nonce`) and the worker cannot read the `DPoP-Nonce` header, which a
 * cross-origin server must list in `Access-Control-Expose-Headers`. The request gets the server's
 * answer as it is.
 */
export class DpopError extends AuthProxyError {
  override readonly name = 'DpopError';
}

/** True for a `DpopError`, also one rebuilt from another realm. */
export function isDpopError(error: unknown): error is DpopError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DpopError';
}
