import { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import { ConfigError } from '../sw/errors/config-error.js';
import { CorsError } from '../sw/errors/cors-error.js';
import { DpopError } from '../sw/errors/dpop-error.js';
import { ProxyTimeoutError } from '../sw/errors/proxy-timeout-error.js';
import { ProxyUnavailableError } from '../sw/errors/proxy-unavailable-error.js';
import { RedirectRefusedError } from '../sw/errors/redirect-refused-error.js';
import { RefreshFailedError } from '../sw/errors/refresh-failed-error.js';
import { SessionExpiredError } from '../sw/errors/session-expired-error.js';
import { SessionStoreError } from '../sw/errors/session-store-error.js';
import { TokenResponseError } from '../sw/errors/token-response-error.js';
import type { WireError } from '../sw/protocol.js';

const CLASSES: Record<string, new (message: string) => AuthProxyError> = {
  ConfigError,
  CorsError,
  DpopError,
  ProxyTimeoutError,
  ProxyUnavailableError,
  RedirectRefusedError,
  RefreshFailedError,
  SessionExpiredError,
  SessionStoreError,
  TokenResponseError,
};

/** Turn `{ name, message }` from the worker back into the error class it was (comlink style). */
export function rebuildError(wire: WireError): AuthProxyError {
  const Class = CLASSES[wire.name] ?? AuthProxyError;
  return new Class(String(wire.message));
}
