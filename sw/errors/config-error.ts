import { AuthProxyError } from './auth-proxy-error.js';

/** The config passed to `installAuthProxy` is invalid; thrown while the worker script runs, so the install fails. */
export class ConfigError extends AuthProxyError {
  override readonly name = 'ConfigError';
}

/** True for a `ConfigError`, also one rebuilt from another realm. */
export function isConfigError(error: unknown): error is ConfigError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConfigError';
}
