import type { AuthProxy, AuthProxyEventType } from '../../client/index.js';
import type { connectWebSocket } from '../../client/websocket-entry.js';

declare global {
  interface Window {
    authProxy: AuthProxy;
    authEvents: { type: AuthProxyEventType; detail: unknown; at: number }[];
    /** Only on `realtime.html` (demo/app/realtime.ts). */
    connectWebSocket: typeof connectWebSocket;
  }
}
