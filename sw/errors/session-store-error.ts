import { AuthProxyError } from './auth-proxy-error.js';

/**
 * The session store (IndexedDB) could not be opened, read or written in time: blocked by another
 * connection, full, disabled (Safari's Lockdown Mode) or deleted. The worker goes on with the
 * session it knows in memory, so requests are still answered; a worker started afresh meanwhile
 * knows no session until the store works again.
 */
export class SessionStoreError extends AuthProxyError {
  override readonly name = 'SessionStoreError';
}

/** True for a `SessionStoreError`, also one rebuilt from another realm. */
export function isSessionStoreError(error: unknown): error is SessionStoreError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SessionStoreError';
}
