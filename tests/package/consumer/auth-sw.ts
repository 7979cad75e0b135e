// The worker of an app that installed the packed package, bundled by Vite into one classic script.
import { installAuthProxy } from 'sw-auth-proxy/sw';

installAuthProxy({
  protectedOrigins: [{ origin: self.location.origin, pathPrefixes: ['/api'] }],
  tokenEndpoints: ['/auth/login', '/auth/token'],
  refreshEndpoint: '/auth/token',
  clientId: 'demo-spa',
});
