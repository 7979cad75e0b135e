/**
 * The prebuilt classic script `sw-auth-proxy.js`, for workers that use `importScripts`:
 *
 * @example
 * importScripts('/sw-auth-proxy.js');
 * SwAuthProxy.installAuthProxy({ protectedOrigins: ['https://api.example.com'], ... });
 */
export { installAuthProxy } from './install-auth-proxy.js';
export { VERSION } from './version.js';
