import { AuthProxyError } from './auth-proxy-error.js';

/**
 * A cross-origin request the proxy sent (a protected request with the token, a refresh) failed
 * with a bare network error, which is all a browser tells script of a CORS refusal, and a probe
 * without the token found out why: the server does not allow a header the request carried
 * (`Access-Control-Allow-Headers`), credentials (`Access-Control-Allow-Credentials`) or the page's
 * origin (`Access-Control-Allow-Origin`), or it does not answer at all. The page's request still
 * gets its network error; this only says why.
 */
export class CorsError extends AuthProxyError {
  override readonly name = 'CorsError';
}

/** True for a `CorsError`, also one rebuilt from another realm. */
export function isCorsError(error: unknown): error is CorsError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'CorsError';
}
