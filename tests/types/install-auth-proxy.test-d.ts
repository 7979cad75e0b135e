import { describe, expectTypeOf, test } from 'vitest';
import { installAuthProxy, type AuthProxyConfig, type AuthProxyHandle, type ConfigError, isConfigError } from 'sw-auth-proxy/sw';

declare const caught: unknown;

const required = {
  protectedOrigins: ['https://api.example.com'],
  tokenEndpoints: ['/auth/token'],
  refreshEndpoint: '/auth/token',
} as const;

describe('installAuthProxy config', () => {
  test('takes the required fields alone, and every documented option', () => {
    expectTypeOf(installAuthProxy).parameter(0).toEqualTypeOf<AuthProxyConfig>();
    expectTypeOf(installAuthProxy).returns.toEqualTypeOf<AuthProxyHandle>();
    installAuthProxy(required);
    installAuthProxy({
      protectedOrigins: ['https://api.example.com', { origin: 'https://files.example.com', pathPrefixes: ['/v1'] }],
      tokenEndpoints: ['/auth/login', 'https://auth.example.com/oauth/token'],
      refreshEndpoint: 'https://auth.example.com/oauth/token',
      clientId: 'my-spa',
      scope: 'openid',
      refreshBodyFormat: 'json',
      refreshTokenStorage: 'cookie',
      exposeAccessToken: false,
      maxReplayBodyBytes: 1024,
      revocationEndpoint: '/oauth/revoke',
      logoutEndpoint: '/auth/logout',
      refreshTimeoutMs: 10_000,
      refreshIdempotencyKey: true,
      backoff: { baseMs: 500, capMs: 10_000, maxAttempts: 3, maxCooldownMs: 30_000 },
      refreshAhead: { fraction: 0.2, minMs: 2000 },
      maxWaitingRequests: 100,
      apiRetry: { methods: ['GET'], maxRetries: 1, maxDelayMs: 5000 },
      channelName: 'auth',
      databaseName: 'auth',
      allowInsecureHttp: false,
    });
    installAuthProxy({ ...required, refreshAhead: false, apiRetry: true });
  });

  test('an unknown key is a compile error, at the top level and nested', () => {
    // @ts-expect-error misspelt `refreshTimeoutMs`
    installAuthProxy({ ...required, refreshTimout: 1000 });
    // @ts-expect-error not an option at all
    installAuthProxy({ ...required, origins: ['https://api.example.com'] });
    // @ts-expect-error `backoff` has `baseMs`, not `base`
    installAuthProxy({ ...required, backoff: { base: 100 } });
    // @ts-expect-error `apiRetry` has `maxRetries`, not `retries`
    installAuthProxy({ ...required, apiRetry: { retries: 1 } });
  });

  test('a missing required field or a wrong value is a compile error', () => {
    // @ts-expect-error `refreshEndpoint` is required
    installAuthProxy({ protectedOrigins: ['https://api.example.com'], tokenEndpoints: ['/auth/token'] });
    // @ts-expect-error not a storage mode
    installAuthProxy({ ...required, refreshTokenStorage: 'localStorage' });
    // @ts-expect-error `'form' | 'json'`
    installAuthProxy({ ...required, refreshBodyFormat: 'xml' });
  });

  test('the config type can be used on its own, and its defaults are documented', () => {
    const config = { ...required, refreshTokenStorage: 'memory' } satisfies AuthProxyConfig;
    installAuthProxy(config);
    expectTypeOf<AuthProxyConfig['refreshTokenStorage']>().toEqualTypeOf<'indexeddb' | 'memory' | 'cookie' | undefined>();
  });
});

describe('installAuthProxy errors', () => {
  test('isConfigError narrows', () => {
    if (isConfigError(caught)) expectTypeOf(caught).toEqualTypeOf<ConfigError>();
  });
});
