import { describe, expectTypeOf, test } from 'vitest';
import {
  registerAuthProxy,
  type AuthProxy,
  type AuthProxyEvent,
  type AuthProxyEventMap,
  type AuthProxyEventType,
  type AuthProxyError,
} from 'sw-auth-proxy/client';

declare const auth: AuthProxy;

describe('AuthProxy events', () => {
  test('a known event type gives its listener a typed detail', () => {
    auth.addEventListener('token-refreshed', (event) => {
      expectTypeOf(event).toEqualTypeOf<AuthProxyEvent<'token-refreshed'>>();
      expectTypeOf(event.detail.generation).toEqualTypeOf<number>();
      expectTypeOf(event.detail.expiresAt).toEqualTypeOf<number | null>();
      expectTypeOf(event.detail.waiters).toEqualTypeOf<number>();
      expectTypeOf(event.detail.trigger.kind).toEqualTypeOf<'unauthorized' | 'expired' | 'proactive' | 'visible'>();
      expectTypeOf(event.originalEvent).toEqualTypeOf<MessageEvent | undefined>();
    });
    auth.addEventListener('session-expired', (event) => {
      expectTypeOf(event.detail.reason).toEqualTypeOf<'invalid_grant' | 'refresh-rejected' | 'no-refresh-token'>();
    });
    auth.addEventListener('refresh-failed', (event) => {
      expectTypeOf(event.detail.final).toEqualTypeOf<boolean>();
      expectTypeOf(event.detail.error).toEqualTypeOf<{ name: string; message: string }>();
    });
  });

  test('the error event carries a rebuilt error class, not the wire shape', () => {
    auth.addEventListener('error', (event) => {
      expectTypeOf(event.detail).toEqualTypeOf<AuthProxyError>();
    });
  });

  test('the event map lists every event type, each with its own event class', () => {
    expectTypeOf<keyof AuthProxyEventMap>().toEqualTypeOf<AuthProxyEventType>();
    expectTypeOf<AuthProxyEventType>().toEqualTypeOf<
      | 'logged-in'
      | 'refresh-started'
      | 'token-refreshed'
      | 'refresh-failed'
      | 'session-expired'
      | 'state-changed'
      | 'logged-out'
      | 'replay-skipped'
      | 'event-stream-stalled'
      | 'error'
      | 'queue-full'
      | 'version-mismatch'
    >();
    expectTypeOf<AuthProxyEventMap['logged-in']['detail']>().toEqualTypeOf<{ generation: number; expiresAt: number | null }>();
    expectTypeOf<AuthProxyEventMap['event-stream-stalled']['detail']>().toEqualTypeOf<{ url: string; idleMs: number; clientId: string }>();
  });

  test('a typed listener cannot be registered for another event type', () => {
    const onRefresh = (event: AuthProxyEvent<'token-refreshed'>): number => event.detail.generation;
    auth.addEventListener('token-refreshed', onRefresh);
    // @ts-expect-error a `logged-out` event has no generation
    auth.addEventListener('logged-out', onRefresh);
  });

  test('an unknown event name falls back to a plain DOM Event', () => {
    auth.addEventListener('no-such-event', (event) => {
      expectTypeOf(event).toEqualTypeOf<Event>();
      // @ts-expect-error a plain Event has no detail
      void event.detail;
    });
  });

  test('removeEventListener takes the same typed listeners', () => {
    const listener = (event: AuthProxyEvent<'logged-in'>): void => void event.detail.generation;
    auth.addEventListener('logged-in', listener);
    auth.removeEventListener('logged-in', listener);
  });

  test('registerAuthProxy returns the AuthProxy', () => {
    expectTypeOf(registerAuthProxy).returns.toEqualTypeOf<AuthProxy>();
  });
});
