// Type-checked only: a classic worker that uses the prebuilt script instead of a bundler, typed
// by the package's `./sw-auth-proxy.js` export. No import, so this stays a classic script.
/// <reference types="sw-auth-proxy/sw-auth-proxy.js" />

importScripts('/sw-auth-proxy.js');

const config: SwAuthProxy.AuthProxyConfig = {
  protectedOrigins: ['https://api.example.com'],
  tokenEndpoints: ['/auth/login'],
  refreshEndpoint: '/auth/token',
};
const handle: { dispose(): void } = SwAuthProxy.installAuthProxy(config);
const version: string = SwAuthProxy.VERSION;
console.log(`sw-auth-proxy ${version}`, handle);
