/**
 * Types of the prebuilt classic script `sw-auth-proxy.js` (`classic.ts` built as an IIFE), which
 * defines one global: `SwAuthProxy`. Only declarations, so nothing is bundled from here; `tsc`
 * emits it as `dist/types/sw/classic-global.d.ts`, the `types` of the package's
 * `./sw-auth-proxy.js` export.
 *
 * @example
 * // auth-sw.js, a classic worker checked by TypeScript (`checkJs`) or written in TypeScript
 * /// <reference types="sw-auth-proxy/sw-auth-proxy.js" />
 * importScripts('/sw-auth-proxy.js');
 * SwAuthProxy.installAuthProxy({ protectedOrigins: ['https://api.example.com'], ... });
 */
import type * as Classic from './classic.js';
import type { AuthProxyConfig as Config } from './config.js';

declare global {
  /** What `importScripts('sw-auth-proxy.js')` defines: `installAuthProxy` and `VERSION`. */
  var SwAuthProxy: typeof Classic;
  /** The config type, for annotating a config object kept apart from the call. */
  namespace SwAuthProxy {
    type AuthProxyConfig = Config;
  }
}

export {};
