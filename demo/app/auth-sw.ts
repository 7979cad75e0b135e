/**
 * The demo's service worker: the whole integration is this one call. The config lives in the
 * script the server serves (auth-config.ts is bundled into it), so no page can change what
 * receives the token.
 */
import { installAuthProxy } from '../../sw/index.js';
import { demoAuthConfig } from './auth-config.js';

installAuthProxy(demoAuthConfig);
