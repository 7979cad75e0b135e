import { describe, expectTypeOf, test } from 'vitest';
import type { installAuthProxy } from 'sw-auth-proxy/sw';
// What a classic worker sees after `importScripts('/sw-auth-proxy.js')`: the types come from the
// package's `./sw-auth-proxy.js` export. A classic worker cannot `import`; it writes
// `/// <reference types="sw-auth-proxy/sw-auth-proxy.js" />` instead (tests/package checks that
// form against the installed package: reference directives do not resolve a package's own name).
import type {} from 'sw-auth-proxy/sw-auth-proxy.js';

describe('the SwAuthProxy global of the prebuilt script', () => {
  test('has the same installAuthProxy as the module entry, and the version', () => {
    expectTypeOf(SwAuthProxy.installAuthProxy).toEqualTypeOf<typeof installAuthProxy>();
    expectTypeOf(SwAuthProxy.VERSION).toEqualTypeOf<string>();
    expectTypeOf(globalThis.SwAuthProxy).toEqualTypeOf<typeof SwAuthProxy>();
  });

  test('offers the config type and checks the config', () => {
    const config: SwAuthProxy.AuthProxyConfig = {
      protectedOrigins: ['https://api.example.com'],
      tokenEndpoints: ['/t'],
      refreshEndpoint: '/t',
    };
    SwAuthProxy.installAuthProxy(config);
    // @ts-expect-error misspelt option
    SwAuthProxy.installAuthProxy({ ...config, clientID: 'x' });
  });
});
