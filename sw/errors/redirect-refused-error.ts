import { AuthProxyError } from './auth-proxy-error.js';

/**
 * A protected request that carried the access token was answered with a redirect, and the worker
 * did not follow it. A service worker cannot see where a redirect leads (Fetch: a `manual`
 * redirect reaches it as an opaque response, status 0, no `Location`), so following it would send
 * the token to a URL nobody checked. The page's fetch fails as if the redirect mode were `error`.
 */
export class RedirectRefusedError extends AuthProxyError {
  override readonly name = 'RedirectRefusedError';
}

/** True for a `RedirectRefusedError`, also one rebuilt from another realm. */
export function isRedirectRefusedError(error: unknown): error is RedirectRefusedError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'RedirectRefusedError';
}
