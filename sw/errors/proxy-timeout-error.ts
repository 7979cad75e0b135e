import { AuthProxyError } from './auth-proxy-error.js';

/** The service worker did not answer a page's request in time. */
export class ProxyTimeoutError extends AuthProxyError {
  override readonly name = 'ProxyTimeoutError';
}

/** True for a `ProxyTimeoutError`, also one rebuilt from another realm. */
export function isProxyTimeoutError(error: unknown): error is ProxyTimeoutError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ProxyTimeoutError';
}
