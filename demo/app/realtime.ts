/**
 * The realtime test page: the same worker as the demo page, plus the built `connectWebSocket` on
 * `window` so browser tests can drive the helper (tests/e2e/websocket.spec.ts).
 */
import { registerAuthProxy, type AuthProxy } from '../../client/index.js';
import { connectWebSocket } from '../../client/websocket-entry.js';

declare global {
  interface Window {
    /** For the browser tests: the shared fixtures wait for `authProxy.ready`. */
    authProxy: AuthProxy;
    connectWebSocket: typeof connectWebSocket;
  }
}

window.authProxy = registerAuthProxy('./auth-sw.js');
window.connectWebSocket = connectWebSocket;
