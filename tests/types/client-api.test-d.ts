import { describe, expectTypeOf, test } from 'vitest';
import {
  isProxyTimeoutError,
  registerAuthProxy,
  type AuthCounters,
  type AuthProxy,
  type AuthState,
  type AuthStatus,
  type ProxyTimeoutError,
  type ReadyInfo,
  type RegisterAuthProxyOptions,
} from 'sw-auth-proxy/client';
import type { AuthProxyConfig } from 'sw-auth-proxy/sw';

declare const auth: AuthProxy;
declare const caught: unknown;

describe('registerAuthProxy options', () => {
  test('every option is optional and typed', () => {
    registerAuthProxy('/auth-sw.js');
    registerAuthProxy(new URL('https://app.example.com/auth-sw.js'));
    registerAuthProxy('/auth-sw.js', { scope: '/', type: 'module', channelName: 'auth', requestTimeoutMs: 5000, refreshOnVisible: false });
    expectTypeOf<RegisterAuthProxyOptions>().toEqualTypeOf<{
      scope?: string;
      type?: WorkerType;
      channelName?: string;
      requestTimeoutMs?: number;
      refreshOnVisible?: boolean;
      fallback?: 'none' | 'page';
      config?: AuthProxyConfig | (() => Promise<AuthProxyConfig>);
    }>();
  });

  test('page mode takes the worker config, as an object or a loader', () => {
    const config: AuthProxyConfig = {
      protectedOrigins: ['https://api.example.com'],
      tokenEndpoints: ['/token'],
      refreshEndpoint: '/token',
    };
    registerAuthProxy('/auth-sw.js', { fallback: 'page', config });
    registerAuthProxy('/auth-sw.js', { fallback: 'page', config: async () => config });
    // @ts-expect-error the fallback is 'none' or 'page'
    registerAuthProxy('/auth-sw.js', { fallback: 'memory' });
    // @ts-expect-error the config is checked as the worker's is: `protectedOrigins` is required
    registerAuthProxy('/auth-sw.js', { fallback: 'page', config: { tokenEndpoints: [], refreshEndpoint: '/token' } });
  });

  test('a misspelt or mistyped option is a compile error', () => {
    // @ts-expect-error `timeout` is not an option (it is `requestTimeoutMs`)
    registerAuthProxy('/auth-sw.js', { timeout: 1000 });
    // @ts-expect-error `requestTimeoutMs` is a number
    registerAuthProxy('/auth-sw.js', { requestTimeoutMs: '1000' });
    // @ts-expect-error exactOptionalPropertyTypes: leave an option out rather than passing undefined
    registerAuthProxy('/auth-sw.js', { scope: undefined });
  });
});

describe('AuthProxy members', () => {
  test('ready resolves with the handshake', () => {
    expectTypeOf(auth.ready).toEqualTypeOf<Promise<ReadyInfo>>();
    expectTypeOf<ReadyInfo>().toEqualTypeOf<{
      mode: 'worker' | 'page';
      fallbackReason?: string;
      workerVersion: string;
      clientId: string;
    }>();
  });

  test('commands answer typed promises', () => {
    expectTypeOf(auth.status).returns.toEqualTypeOf<Promise<AuthStatus>>();
    expectTypeOf(auth.logout).toEqualTypeOf<(options?: { revoke?: boolean }) => Promise<{ revoked: boolean }>>();
    expectTypeOf(auth.setDebug).toEqualTypeOf<(enabled: boolean) => Promise<void>>();
    expectTypeOf(auth.unregister).returns.toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(auth.dispose).returns.toEqualTypeOf<void>();
  });
});

describe('AuthStatus', () => {
  test('has exactly the documented fields, and never a token', () => {
    expectTypeOf<AuthStatus>().toEqualTypeOf<{
      mode: 'worker' | 'page';
      state: AuthState;
      hasValidToken: boolean;
      expiresAt: number | null;
      generation: number;
      pendingRequests: number;
      lastRefreshAt: number | null;
      refreshBlockedUntil: number | null;
      refreshAt: number | null;
      serverTimeOffsetMs: number;
      dpopThumbprint: string | null;
      debug: boolean;
      lastError: { name: string; message: string } | null;
      counters: AuthCounters;
      version: string;
    }>();
    expectTypeOf<AuthState>().toEqualTypeOf<'anonymous' | 'authenticated' | 'refreshing' | 'backoff' | 'expired'>();
    expectTypeOf<AuthCounters>().toEqualTypeOf<{
      requests: number;
      replayed: number;
      refreshes: number;
      refreshFailures: number;
      apiRetries: number;
      replaysSkipped: number;
      eventStreamsStalled: number;
    }>();
  });
});

describe('errors', () => {
  test('isX guards narrow unknown values', () => {
    if (isProxyTimeoutError(caught)) {
      expectTypeOf(caught).toEqualTypeOf<ProxyTimeoutError>();
      expectTypeOf<ProxyTimeoutError['name']>().toEqualTypeOf<'ProxyTimeoutError'>();
    }
  });
});
