// The page of an app that installed the packed package: the client entry, by its package name.
import { registerAuthProxy, type AuthProxy, type AuthStatus } from 'sw-auth-proxy/client';

declare global {
  interface Window {
    authProxy: AuthProxy;
  }
}

const auth = registerAuthProxy('/auth-sw.js');
window.authProxy = auth;
auth.ready.then(
  async () => {
    const status: AuthStatus = await auth.status();
    document.getElementById('status')!.textContent = `controlled, ${status.state}`;
  },
  (error: unknown) => {
    document.getElementById('status')!.textContent = String(error);
  },
);
