import { Workbox } from 'workbox-window';
import { AuthProxy, type RegisterAuthProxyOptions } from './auth-proxy.js';

/**
 * Register the auth proxy worker and get the page's handle on it. The one call an app adds; its
 * fetch, XMLHttpRequest and EventSource code stays as it is.
 *
 * @param scriptUrl the worker script, served from your origin (it holds the config).
 *
 * @example
 * import { registerAuthProxy } from 'sw-auth-proxy/client';
 *
 * const auth = registerAuthProxy('/auth-sw.js');
 * auth.addEventListener('session-expired', () => showLogin());
 * await auth.ready; // from here on, API requests carry the token
 */
export function registerAuthProxy(scriptUrl: string | URL, options: RegisterAuthProxyOptions = {}): AuthProxy {
  const registerOptions: RegistrationOptions = {};
  if (options.scope !== undefined) registerOptions.scope = options.scope;
  if (options.type !== undefined) registerOptions.type = options.type;
  const workbox = new Workbox(String(scriptUrl), registerOptions);
  return new AuthProxy(workbox, options);
}
