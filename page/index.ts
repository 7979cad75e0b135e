/**
 * `sw-auth-proxy/page`: the session engine run in the page, for where no service worker can
 * control it. `registerAuthProxy(url, { fallback: 'page', config })` loads this entry only when it
 * needs it; apps that never fall back never download it.
 * @module
 */
export { installPageProxy } from './install-page-proxy.js';
export type { PageProxy, PageProxyOptions } from './install-page-proxy.js';
export type { AuthProxyConfig } from '../sw/config.js';
