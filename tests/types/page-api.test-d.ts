import { describe, expectTypeOf, test } from 'vitest';
import type { RequestType } from '../../sw/protocol.js';
import { installPageProxy, type AuthProxyConfig, type PageProxy, type PageProxyOptions } from 'sw-auth-proxy/page';

const config: AuthProxyConfig = { protectedOrigins: ['https://api.example.com'], tokenEndpoints: ['/token'], refreshEndpoint: '/token' };

describe('sw-auth-proxy/page', () => {
  test('installPageProxy takes the worker config and an optional base URL', () => {
    expectTypeOf(installPageProxy(config)).toEqualTypeOf<PageProxy>();
    installPageProxy(config, { baseUrl: 'https://app.example.com/auth-sw.js' });
    expectTypeOf<PageProxyOptions>().toEqualTypeOf<{ baseUrl?: string }>();
    // @ts-expect-error the config is checked as the worker's is
    installPageProxy({ protectedOrigins: 'https://api.example.com' });
  });

  test('the engine answers the worker commands and can be disposed', () => {
    const engine = installPageProxy(config);
    expectTypeOf(engine.clientId).toEqualTypeOf<string>();
    expectTypeOf(engine.dispose).returns.toEqualTypeOf<void>();
    expectTypeOf(engine.request<'status'>)
      .parameter(0)
      .toEqualTypeOf<'status'>();
    expectTypeOf<Parameters<PageProxy['request']>[0]>().toEqualTypeOf<RequestType>();
  });
});
