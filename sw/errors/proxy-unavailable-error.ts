import { AuthProxyError } from './auth-proxy-error.js';

/** No service worker is controlling the page, so there is nobody to ask. */
export class ProxyUnavailableError extends AuthProxyError {
  override readonly name = 'ProxyUnavailableError';
}

/** True for a `ProxyUnavailableError`, also one rebuilt from another realm. */
export function isProxyUnavailableError(error: unknown): error is ProxyUnavailableError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ProxyUnavailableError';
}
