import type { AuthProxy, AuthProxyEventType } from '../../client/index.js';

declare global {
  interface Window {
    authProxy: AuthProxy;
    authEvents: { type: AuthProxyEventType; detail: unknown; at: number }[];
  }
}
