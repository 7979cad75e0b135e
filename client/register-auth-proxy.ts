import { Workbox } from 'workbox-window';
import { ConfigError } from '../sw/errors/config-error.js';
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
 * auth.addEventListener('session-expired', () => location.assign('/login')); // your sign-in page
 * await auth.ready; // from here on, API requests carry the token
 *
 * @example
 * // Where no service worker can take the page, run the same engine in the page.
 * import { authConfig } from './auth-config.js'; // the worker script imports it too
 *
 * const auth = registerAuthProxy('/auth-sw.js', { fallback: 'page', config: authConfig });
 * const { mode } = await auth.ready; // 'worker' or 'page'
 */
export function registerAuthProxy(scriptUrl: string | URL, options: RegisterAuthProxyOptions = {}): AuthProxy {
  const fallback: unknown = options.fallback;
  if (fallback !== undefined && fallback !== 'none' && fallback !== 'page') {
    throw new ConfigError(`Failed to register the auth proxy: \`fallback\` must be 'none' or 'page', not ${JSON.stringify(fallback)}`);
  }
  if (fallback === 'page' && typeof options.config !== 'function' && (typeof options.config !== 'object' || options.config === null)) {
    throw new ConfigError(
      "Failed to register the auth proxy: `fallback: 'page'` needs `config`: the worker's config, or a function that loads it (from the module your worker script imports it from)",
    );
  }
  const registerOptions: RegistrationOptions = {};
  if (options.scope !== undefined) registerOptions.scope = options.scope;
  if (options.type !== undefined) registerOptions.type = options.type;
  // Firefox private windows have no `navigator.serviceWorker`, and workbox-window's constructor
  // uses it: the AuthProxy then reports the worker unavailable (or falls back) instead.
  const workbox = 'serviceWorker' in navigator ? new Workbox(String(scriptUrl), registerOptions) : null;
  return new AuthProxy(workbox, options, new URL(scriptUrl, location.href).href);
}
