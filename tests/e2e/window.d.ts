import type { AuthProxy, AuthProxyEventType, connectWebSocket } from '../../client/index.js';

declare global {
  interface Window {
    authProxy: AuthProxy;
    authEvents: { type: AuthProxyEventType; detail: unknown; at: number }[];
    /** Only on `realtime.html` (demo/app/realtime.ts). */
    connectWebSocket: typeof connectWebSocket;
  }
}
